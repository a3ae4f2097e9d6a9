"""Running the Ape scripts in-process (as `ape run` does: their `cli` click command) on the
test chain, and telling a clean refusal from a traceback."""

from __future__ import annotations

import importlib.util
import sys
from contextlib import nullcontext
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import ape.cli.commands as commands
from click.testing import CliRunner, Result

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


@cache
def script(name: str) -> ModuleType:
    """scripts/<name>.py, imported once."""
    spec = importlib.util.spec_from_file_location(f"kabuto_script_{name}", SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(name: str, *args: Any) -> Result:
    """`ape run <name> <args...>` in this process, on the test's connected chain: Ape's
    commands would otherwise connect a provider of their own for each invocation (a new
    anvil each time) and disconnect it at the end."""
    from ape import chain

    provider = chain.provider
    with mock.patch.object(commands, "parse_network", lambda ctx: nullcontext(provider)):
        return CliRunner().invoke(script(name).cli, [str(a) for a in args], catch_exceptions=True)


def traceback_of(result: Result) -> str | None:
    """The uncaught exception a person would have seen as a traceback, or None."""
    if result.exception is None or isinstance(result.exception, SystemExit):
        return None if "Traceback (most recent call last)" not in result.output else result.output
    return f"{type(result.exception).__name__}: {result.exception}"
