"""Any selection of test folders runs in one pytest call (`ape test tests/unit/offering
tests/assurance`). pytest imports a folder without __init__.py by its module's bare name, so a
test importing `conftest` got whichever folder's conftest the run had loaded last (the
offering tests failed to import next to tests/assurance), and two helper modules of the same
name in two such folders would shadow each other the same way."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def _top_level_name(path: Path) -> str:
    """The name pytest (prepend import mode) imports `path` under: its dotted path from the
    first folder above it that is not a package."""
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def test_no_test_module_imports_a_conftest():
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any(name.split(".")[-1] == "conftest" for name in names):
                offenders.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert not offenders, (
        "a test imports a conftest (its name is shared by every test folder; put shared "
        f"values in the folder's *_support.py): {offenders}"
    )


def test_helper_modules_have_names_of_their_own():
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in _modules():
        if path.name in ("conftest.py", "__init__.py"):
            continue
        by_name[_top_level_name(path)].append(str(path.relative_to(TESTS)))
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert not clashes, f"test modules imported under the same name: {clashes}"
