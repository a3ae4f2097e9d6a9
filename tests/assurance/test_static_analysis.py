"""Slither over every Kabuto contract: every detector runs (slither_scan.py), no high or
medium finding is left unexplained, and a known-bad canary contract analysed in the same run
proves the check reports what it should."""

import json
from pathlib import Path

import pytest
from slither_run import CANARY, kabuto_sources

ACCEPTED_FILE = Path(__file__).with_name("accepted_findings.json")
SEVERE = {"High", "Medium"}
# What the canary must raise (tests/assurance/slither_canary/SlitherKnownBad.sol).
CANARY_FINDINGS = {
    ("arbitrary-send-erc20", "SlitherKnownBad.pull"),
    ("uninitialized-state", "SlitherKnownBad.payee"),
}


def _qualified(element: dict) -> str:
    """Contract.function, Contract.stateVariable or Contract.function.localVariable."""
    parent = element.get("type_specific_fields", {}).get("parent", {})
    name = element.get("name", "")
    if not parent.get("name"):
        return name
    return (
        f"{_qualified(parent)}.{name}"
        if parent.get("type") != "contract"
        else f"{parent['name']}.{name}"
    )


def finding_key(finding: dict) -> tuple[str, str]:
    """(detector, first named element, qualified) — stable across line moves, unlike slither's
    own id, and narrow: an acceptance names one function or variable, never a whole detector."""
    element = finding["elements"][0] if finding["elements"] else {}
    return finding["check"], _qualified(element)


def _source(finding: dict) -> str:
    element = finding["elements"][0] if finding["elements"] else {}
    return element.get("source_mapping", {}).get("filename_relative", "")


def accepted_findings() -> dict[tuple[str, str], str]:
    return {
        (a["check"], a["where"]): a["why"]
        for a in json.loads(ACCEPTED_FILE.read_text())["accepted"]
    }


def unexplained(findings: list[dict], accepted: dict[tuple[str, str], str]) -> list[dict]:
    """The high/medium findings that no acceptance names."""
    return [f for f in findings if f["impact"] in SEVERE and finding_key(f) not in accepted]


def _is_canary(finding: dict) -> bool:
    return Path(_source(finding)).name == CANARY.name


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
    analysed = set(slither_report["contracts"])
    declared = declared_contracts()
    suite_summary(
        f"slither analysed {len(analysed & declared)} Kabuto contracts and libraries "
        f"in {len(kabuto_sources())} files"
    )
    assert declared and declared <= analysed, f"not analysed: {sorted(declared - analysed)}"


def test_no_unexplained_high_or_medium_finding(slither_report, suite_summary):
    accepted = accepted_findings()
    for key, why in accepted.items():
        assert len(why) > 30, f"accepted finding {key} needs a real justification"
    findings = [f for f in slither_report["detectors"] if not _is_canary(f)]
    severe = [f for f in findings if f["impact"] in SEVERE]
    assert findings, "slither reported no detector finding at all: were the detectors run?"
    left = [
        f"{f['impact']} {f['check']} at {finding_key(f)[1]}: {f['description'].strip()}"
        for f in unexplained(findings, accepted)
    ]
    suite_summary(
        f"slither: {len(severe)} high/medium findings, {len(severe) - len(left)} accepted with a reason"
    )
    assert not left, "unexplained slither findings:\n" + "\n".join(left)


def test_every_acceptance_still_matches_a_finding(slither_report):
    """A stale acceptance (code moved or fixed) is removed, not left to excuse a future finding."""
    found = {finding_key(f) for f in slither_report["detectors"]}
    stale = sorted(set(accepted_findings()) - found)
    assert not stale, f"accepted findings slither no longer reports: {stale}"


@pytest.mark.parametrize("key", sorted(CANARY_FINDINGS), ids=lambda k: "-".join(k))
def test_known_bad_canary_finding_is_reported_and_fails_the_check(slither_report, key):
    """The canary's high findings are in the report and the check calls them unexplained: the
    check fails when a contract has such a finding."""
    canary = [f for f in slither_report["detectors"] if _is_canary(f)]
    assert key in {finding_key(f) for f in canary}, f"slither did not report {key}: {canary}"
    assert key in {finding_key(f) for f in unexplained(canary, accepted_findings())}
