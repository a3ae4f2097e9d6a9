"""Slither over every Kabuto contract: no high or medium finding is left unexplained."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from kabuto.environment import PROJECT_ROOT

CONTRACTS = PROJECT_ROOT / "contracts"
ACCEPTED_FILE = Path(__file__).with_name("accepted_findings.json")
SEVERE = {"High", "Medium"}


def kabuto_sources() -> list[Path]:
    """Every production contract: the test-only helpers in contracts/testing are left out."""
    return sorted(p for p in CONTRACTS.rglob("*.sol") if os.environ.get("KABUTO_SLITHER_ALL") or "testing" not in p.parts and ".cache" not in p.parts)


def finding_key(finding: dict) -> tuple[str, str]:
    """(detector, first named element) — stable across line moves, unlike slither's own id."""
    element = finding["elements"][0] if finding["elements"] else {}
    parent = element.get("type_specific_fields", {}).get("parent", {})
    where = element.get("name", "")
    if parent.get("name") and element.get("type") == "function":
        where = f"{parent['name']}.{where}"
    return finding["check"], where


@pytest.fixture(scope="module")
def slither_report(tmp_path_factory) -> dict:
    sources = kabuto_sources()
    if not sources:
        pytest.fail("no contracts found under contracts/")
    # One entry file importing everything: one compilation, one analysis.
    entry = PROJECT_ROOT / ".cache" / "slither" / "AllContracts.sol"
    entry.parent.mkdir(parents=True, exist_ok=True)
    imports = "\n".join(f'import "{os.path.relpath(p, entry.parent)}";' for p in sources)
    entry.write_text(f"// SPDX-License-Identifier: Apache-2.0\npragma solidity 0.8.30;\n{imports}\n")
    env = {**os.environ, "PATH": f"{PROJECT_ROOT / 'tools'}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "slither"), str(entry.relative_to(PROJECT_ROOT)),
         "--config-file", "slither.config.json", "--json", "-", "--print", "contract-summary"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, env=env,
    )
    report = json.loads(result.stdout)
    assert report["success"], report.get("error") or result.stderr[-2000:]
    return report


def declared_contracts() -> set[str]:
    names = set()
    for path in kabuto_sources():
        for line in path.read_text().splitlines():
            words = line.replace("abstract contract ", "contract ").split()
            if len(words) > 1 and words[0] in ("contract", "library"):
                names.add(words[1].split("(")[0].rstrip("{"))
    return names


def test_slither_analysed_every_contract(slither_report, suite_summary):
    analysed = {
        element["name"]
        for printer in slither_report["results"].get("printers", [])
        for element in printer["elements"]
        if element["type"] == "contract"
    }
    declared = declared_contracts()
    suite_summary(f"slither analysed {len(analysed & declared)} Kabuto contracts and libraries "
          f"in {len(kabuto_sources())} files")
    assert declared and declared <= analysed, f"not analysed: {sorted(declared - analysed)}"


def test_no_unexplained_high_or_medium_finding(slither_report, suite_summary):
    accepted = {(a["check"], a["where"]): a["why"] for a in json.loads(ACCEPTED_FILE.read_text())["accepted"]}
    for key, why in accepted.items():
        assert len(why) > 30, f"accepted finding {key} needs a real justification"
    severe = [f for f in slither_report["results"].get("detectors", []) if f["impact"] in SEVERE]
    unexplained = [
        f"{f['impact']} {f['check']} at {finding_key(f)[1]}: {f['description'].strip()}"
        for f in severe
        if finding_key(f) not in accepted
    ]
    suite_summary(f"slither: {len(severe)} high/medium findings, {len(severe) - len(unexplained)} accepted with a reason")
    assert not unexplained, "unexplained slither findings:\n" + "\n".join(unexplained)
