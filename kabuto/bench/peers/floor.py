"""The floor of a permissioned transfer under the targets' conditions
(contracts/testing/TransferFloor.sol): a shared registry read for both parties in one call, a
counted holder cap, both balances, the log, and no rule evaluated. Measured in the same run as
Kabuto so the new-holder target (within 1% of it) is judged on one chain (issue 19). Beside it
the floor of an issue to a new holder (contracts/testing/IssueFloor.sol): the role check, the
rules word with the holder count, the recipient's record, supply and balance, Transfer and Issued,
no rule evaluated: what Kabuto's issue is compared with (docs/performance.md)."""

from __future__ import annotations

from kabuto.bench.context import BenchContext, expect, gas_of
from kabuto.bench.model import Outcome
from kabuto.bench.registry import Peer
from kabuto.core import deploy_registry, onboard

SUPPLY = 10**24
AMOUNT = 100

KEYS = ("floor.transfer.new_holder", "floor.transfer.existing_holder", "floor.issue.new_holder")


def measure(ctx: BenchContext) -> list[Outcome]:
    """A holder and a recipient registered in a registry of their own (as Kabuto's are in the
    platform's), then the holder's transfer to the recipient twice: new, then existing holder."""
    admin, holder = ctx.role(0), ctx.new_investor()
    recipient, issued_to = ctx.new_address(), ctx.new_address()
    registry = deploy_registry(admin)
    for wallet in (holder, recipient, issued_to):
        onboard(registry, admin, wallet)
    floor = ctx.project.TransferFloor.deploy(registry, holder, SUPPLY, sender=admin)
    first = floor.transfer(recipient, AMOUNT, sender=holder)
    second = floor.transfer(recipient, AMOUNT, sender=holder)
    expect(floor.balanceOf(recipient) == 2 * AMOUNT, "TransferFloor transfers did not arrive")
    note = (
        "TransferFloor: both records from the shared registry, holder count, balances, log; no rule"
    )
    issue_floor = ctx.project.IssueFloor.deploy(registry, admin, sender=admin)
    issue_floor.issue(holder, AMOUNT, b"", sender=admin)  # the supply word exists, as in Kabuto's
    issue = issue_floor.issue(issued_to, AMOUNT, b"", sender=admin)
    expect(issue_floor.balanceOf(issued_to) == AMOUNT, "IssueFloor issue did not arrive")
    return [
        gas_of("floor.transfer.new_holder", [first], note=note),
        gas_of("floor.transfer.existing_holder", [second], note=note),
        gas_of(
            "floor.issue.new_holder",
            [issue],
            note="IssueFloor: role check, rules word with the holder count, the recipient's record "
            "from the shared registry, supply, balance, Transfer + Issued; no rule",
        ),
    ]


PEER = Peer(name="floor", title="TransferFloor", keys=KEYS, measure=measure)
