"""Findings of the property test (tests/property): a movement from a wallet to itself that takes
encumbered units leaves them encumbered for good. TokenCore._update skips every account update when
from == to, including the release of `fromEncumbered`, so the units stay out of the free balance
with nothing (no application, freeze or lock) to release them. Fixed in TokenCore._update (the encumbered part is released on a self-move); kept as regression tests:
when the token is fixed these tests pass and the marker must go."""

import ape

from kabuto.onchain_types import ApplicationStatus, ForcedTransferReason
from kabuto.ops.approvals import applied

FINDING = "TokenCore._update skips the release of fromEncumbered when from == to"


def parts(token, holder):
    return (
        token.balanceOf(holder),
        token.freeBalanceOf(holder),
        token.frozenTokensOf(holder),
        token.pendingOf(holder),
        token.totalLockedOf(holder),
    )


def test_approve__application_to_self__releases_the_pending_amount(token, agent, alice):
    token.issue(alice, 100, b"", sender=agent)
    app = applied(token, token.applyForTransfer(alice, 1, b"", sender=alice)).fields
    token.approveTransfer(app, b"", sender=agent)
    assert token.application(0).status == ApplicationStatus.APPROVED
    # balance, free, frozen, pending, locked: nothing is pending once the application is approved.
    assert parts(token, alice) == (100, 100, 0, 0, 0)


def test_forced_transfer__to_self_of_frozen_units__refused_and_nothing_moves(
    token, agent, compliance, alice
):
    token.issue(alice, 100, b"", sender=agent)
    token.freezePartialTokens(alice, 100, sender=compliance)
    # Forced to the same wallet the frozen units would only become free (issue 14.5): refused.
    with ape.reverts(token.TransferRestricted):
        token.forcedTransfer(
            alice, alice, 40, int(ForcedTransferReason.CORRECTION), b"", sender=agent
        )
    assert parts(token, alice) == (100, 0, 100, 0, 0)
