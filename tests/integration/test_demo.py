"""The demo runs end to end with the yen coin in eligibility mode (issue 14, point 12): the
paying agent, the tax account and the platform contracts that hold yen are system accounts
from `ape run deploy --coin-eligibility` on. (On 16b48fb the mode could not be chosen at
deployment, and switched on later it stopped the paying agent's funding: see
test_payment_jobs.py::test_treaty_rate__coin_switched_to_eligibility_mode_after_deployment.)"""

from __future__ import annotations

import json

from jobs_support import EXAMPLES

from kabuto.ops.chain import load_platform
from kabuto.ops.demo import run_demo


def test_demo__coin_in_eligibility_mode__whole_lifecycle(tmp_path):
    lines: list[str] = []
    out, deployments = tmp_path / "out", tmp_path / "deployments"
    run_demo(
        EXAMPLES,
        out,
        deployments,
        tmp_path / "keys",
        lines.append,
        coin_eligibility=True,
        progress=False,
    )
    text = "\n".join(lines)
    assert lines[-1].strip().startswith("make venue-demo") and "What to try next" in text
    platform = load_platform(deployments)
    assert platform.yen.eligibilityRequired()
    stbond = platform.token("STBOND1")
    assert stbond.isRedeemed() and stbond.totalSupply() == 0
    assert "settled in one transaction" in text and "NOT RUN" not in text
    assert text.count("RECONCILED") == 3 and "NOT RECONCILED" not in text
    records = sorted((out / "payments").glob("*.json"))
    assert [json.loads(r.read_text())["kind"] for r in records] == [
        "interest",
        "interest",
        "redemption",
    ]
    for record in records:
        document = json.loads(record.read_text())
        assert document["reconciled"] and document["totals"]["unpaid"]["holders"] == 0
        assert {h["tax_status"] for h in document["holders"]} == {
            "ResidentIndividual",
            "DomesticCorporation",
            "NonResident",
            "Exempt",
        }
