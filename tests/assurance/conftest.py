import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest
from slither_run import SlitherRun, kabuto_sources, start_slither

_BACKGROUND: list[SlitherRun] = []


def pytest_collection_modifyitems(session, config, items):
    """When the static-analysis checks are in the run, start slither now and run them last,
    so the analysis overlaps the chain tests (see slither_run.py)."""
    static = [item for item in items if item.path.name == "test_static_analysis.py"]
    if not static or not kabuto_sources():
        return
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Every xdist worker collects every test, but only the one given this file runs it:
        # two slithers compiling into the same directory at once break each other, so under
        # xdist the fixture starts the one run in the worker that needs it, and the file is
        # scheduled by its cost like any other (tests/conftest.py, HEAVY_FIRST).
        return
    items[:] = [item for item in items if item not in static] + static
    _BACKGROUND.append(start_slither())


def pytest_sessionfinish(session, exitstatus):
    for run in _BACKGROUND:
        run.stop()


@pytest.fixture(scope="session")
def slither_run() -> SlitherRun:
    if not kabuto_sources():
        pytest.fail("no contracts found under contracts/")
    return _BACKGROUND[0] if _BACKGROUND else start_slither()
