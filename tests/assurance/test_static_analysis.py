"""Slither over every Kabuto contract: no high or medium finding is left unexplained."""

import json
from pathlib import Path

import pytest
from slither_run import kabuto_sources

ACCEPTED_FILE = Path(__file__).with_name("accepted_findings.json")
SEVERE = {"High", "Medium"}


def finding_key(finding: dict) -> tuple[str, str]:
    """(detector, first named element) — stable across line moves, unlike slither's own id."""
    element = finding["elements"][0] if finding["elements"] else {}
    parent = element.get("type_specific_fields", {}).get("parent", {})
    where = element.get("name", "")
    if parent.get("name") and element.get("type") == "function":
        where = f"{parent['name']}.{where}"
    return finding["check"], where


@pytest.fixture(scope="module")
def slither_report(slither_run) -> dict:
    """The report of the run the assurance conftest started in the background."""
    return slither_run.report()


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
    suite_summary(
        f"slither analysed {len(analysed & declared)} Kabuto contracts and libraries "
        f"in {len(kabuto_sources())} files"
    )
    assert declared and declared <= analysed, f"not analysed: {sorted(declared - analysed)}"


def test_no_unexplained_high_or_medium_finding(slither_report, suite_summary):
    accepted = {
        (a["check"], a["where"]): a["why"]
        for a in json.loads(ACCEPTED_FILE.read_text())["accepted"]
    }
    for key, why in accepted.items():
        assert len(why) > 30, f"accepted finding {key} needs a real justification"
    severe = [f for f in slither_report["results"].get("detectors", []) if f["impact"] in SEVERE]
    unexplained = [
        f"{f['impact']} {f['check']} at {finding_key(f)[1]}: {f['description'].strip()}"
        for f in severe
        if finding_key(f) not in accepted
    ]
    suite_summary(
        f"slither: {len(severe)} high/medium findings, {len(severe) - len(unexplained)} accepted with a reason"
    )
    assert not unexplained, "unexplained slither findings:\n" + "\n".join(unexplained)
