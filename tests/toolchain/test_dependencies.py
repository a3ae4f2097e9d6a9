"""Every third-party package the product or its tests import is a declared, pinned dependency
(pyproject.toml), so a fresh clone's `make setup` is enough to run them."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("kabuto", "scripts", "tests")
# Modules of the project itself, imported by the tests by bare name (conftest helpers).
LOCAL_TOP_LEVEL = {"kabuto", "conftest", "fixtures", "property"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, str]:
    """Declared requirement name -> its pin, from [project] dependencies and optional groups."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        requirements += group
    declared = {}
    for requirement in requirements:
        name, _, pin = requirement.partition("==")
        declared[_normalise(name)] = pin
    return declared


def _imported_top_level() -> dict[str, str]:
    """Top-level module -> one file importing it, for absolute imports in the sources."""
    local = set(LOCAL_TOP_LEVEL)
    files = [p for src in SOURCES for p in (ROOT / src).rglob("*.py")]
    local |= {p.stem for p in files} | {p.parent.name for p in files}
    found: dict[str, str] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in local:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_a_declared_pinned_dependency():
    declared = _declared()
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(_imported_top_level().items()):
        owners = {_normalise(d) for d in distributions.get(module, [])}
        if not owners:
            missing.append(f"{module} (imported by {where}) is not installed")
        elif not owners & declared.keys():
            missing.append(
                f"{module} (imported by {where}) comes from {sorted(owners)}: declare it"
            )
    assert not missing, "undeclared imports:\n" + "\n".join(missing)


def test_every_declared_dependency_is_pinned_to_an_exact_version():
    unpinned = [name for name, pin in _declared().items() if not pin]
    assert not unpinned, f"pin these with ==: {unpinned}"
