"""Gas of the hot paths, measured side by side with a plain OpenZeppelin ERC-20 in one run.

Targets (docs/performance.md, "Targets"): an eligible transfer with holder cap and class rules
active costs at most 1.30x the plain transfer when the recipient already holds, and within 1% of
TransferFloor when it becomes a holder (1.20x of plain ERC-20 is below that floor); apply +
approve at most 110,000 gas per application when the agent approves 50 at once; issue to a new
holder at most 60,000 gas (NOT met: below IssueFloor, the least such an issue costs; the token
is held within 2% of that floor instead).
"""

import pytest

from kabuto.onchain_types import ALL_CLASSES, Category, InvestorClass, Rules, class_mask
from kabuto.ops.approvals import applied

CAP_AND_CLASS_RULES = Rules(
    allowed_classes=class_mask(InvestorClass.GENERAL, InvestorClass.SPECIFIED), holder_cap=49
)


@pytest.fixture
def plain_gas(project, deployer, alice, bob):
    plain = project.PlainERC20.deploy("Plain", "PLN", 1_000_000, sender=deployer)
    plain.transfer(alice, 1_000, sender=deployer)
    new_holder = plain.transfer(bob, 100, sender=alice).gas_used
    existing_holder = plain.transfer(bob, 100, sender=alice).gas_used
    return new_holder, existing_holder


def _report(name, gas, base=None):
    ratio = f"  ({gas / base:.3f}x plain)" if base else ""
    print(f"\nGAS {name:<42} {gas:>8,}{ratio}")


def test_gas__eligible_transfer__within_ratio_of_plain_erc20(
    make_token, investors, agent, alice, bob, carol, plain_gas
):
    plain_new, plain_existing = plain_gas
    token = make_token(rules=CAP_AND_CLASS_RULES)
    first_issue = token.issue(alice, 1_000, b"", sender=agent).gas_used
    issue_gas = token.issue(carol, 1_000, b"", sender=agent).gas_used
    new_holder = token.transfer(bob, 100, sender=alice).gas_used
    existing_holder = token.transfer(bob, 100, sender=alice).gas_used

    _report("plain ERC-20 transfer, new holder", plain_new)
    _report("plain ERC-20 transfer, existing holder", plain_existing)
    _report("issue, first of the token (supply slot created)", first_issue)
    _report("issue to a new holder", issue_gas)
    _report("transfer, recipient becomes a holder", new_holder, plain_new)
    _report("transfer, recipient already holds", existing_holder, plain_existing)
    assert (
        existing_holder <= 1.30 * plain_existing
    )  # target met (the fast path, docs/security-token.md)
    # Target 1.20x NOT met: even the floor below exceeds it. Bound pinned to what is reached.
    assert new_holder <= 1.26 * plain_new


def test_gas__transfer_floor__new_holder_target_below_it(
    project, registry, deployer, alice, bob, investors, plain_gas
):
    """The least any transfer with a shared registry and a counted cap costs (TransferFloor): its
    new-holder ratio is above 1.20x, so that target cannot be met by this requirement set."""
    plain_new, plain_existing = plain_gas
    floor = project.TransferFloor.deploy(registry, alice, 1_000, sender=deployer)
    new_holder = floor.transfer(bob, 100, sender=alice).gas_used
    existing_holder = floor.transfer(bob, 100, sender=alice).gas_used
    assert floor.balanceOf(bob) == 200
    _report("FLOOR transfer, recipient becomes a holder", new_holder, plain_new)
    _report("FLOOR transfer, recipient already holds", existing_holder, plain_existing)
    assert new_holder > 1.20 * plain_new


def test_gas__apply_and_approve__under_target(make_token, investors, agent, alice, bob, carol):
    token = make_token(
        category=Category.CLASS1,
        rules=Rules(allowed_classes=ALL_CLASSES, holder_cap=49, approval_required=True),
    )
    token.issue(alice, 1_000, b"", sender=agent)
    token.issue(bob, 1_000, b"", sender=agent)
    totals = []
    for recipient in (
        bob,
        bob,
        carol,
    ):  # existing holder (first application, then steady state), new holder
        receipt = token.applyForTransfer(recipient, 100, b"", sender=alice)
        approved = token.approveTransfer(applied(token, receipt).fields, b"", sender=agent)
        totals.append(receipt.gas_used + approved.gas_used)
    first, total_existing, total_new = totals
    _report("apply + approve, first application", first)
    _report("apply + approve, recipient already holds", total_existing)
    _report("apply + approve, recipient becomes a holder", total_new)
    # One slot per application (the fields' hash + status), cleared on approval (its refund pays
    # part of it). Issue 19: the single apply + approve to a new holder no worse than 176,118
    # (two-slot record: 177,104). The 50-batch figure: tests/unit/bench/test_peers.py.
    # ibet's apply + approve: 225,957.
    assert total_existing < 135_000
    assert total_new <= 176_118


def test_gas__issue_to_new_holder__within_2_percent_of_the_issue_floor(
    project, make_token, registry, deployer, investors, agent, alice, carol
):
    """The issue fast path (TokenCore._fastIssue) against IssueFloor (contracts/testing/): the role
    check, the rules word with the holder count, the recipient's record from the shared registry,
    the supply and the balance, Transfer and Issued, no rule evaluated. The 60,000 target is
    below that floor, so what is held here is the distance to it (docs/performance.md)."""
    token = make_token(rules=CAP_AND_CLASS_RULES)
    token.issue(alice, 1_000, b"", sender=agent)  # the supply slot exists, as in the bench
    issue_gas = token.issue(carol, 10, b"", sender=agent).gas_used
    floor = project.IssueFloor.deploy(registry, agent, sender=deployer)
    floor.issue(alice, 1_000, b"", sender=agent)
    floor_gas = floor.issue(carol, 10, b"", sender=agent).gas_used
    assert token.holderCount() == 2 and floor.balanceOf(carol) == 10
    _report("issue to a new holder", issue_gas)
    _report("FLOOR issue to a new holder", floor_gas)
    assert floor_gas > 60_000  # the target cannot be met with this requirement set
    assert issue_gas <= 1.02 * floor_gas
    assert issue_gas <= 68_000  # 67,770 at the fast path's introduction (72,959 before)
