"""Findings of issues 16 and 14 (points 5 and 6) on the token, each reproduced first on main
(373e66d) and kept as a regression test:

- issue 16: `authorizeLockAddress(a, true, true)` made `a` the settlement lock address when none
  existed yet, even when `a` already held locks in the lock map: `lockedOf` then read the account
  word (0), `unlock` and `forceUnlock` reverted and the units stayed encumbered for good. The
  settlement lock address is now named explicitly (`setSettlementLockAddress`), never inferred.
- issue 14.5: the agent's `forcedTransfer(h, h, n)` unfroze a compliance freeze.
- issue 14.6: `transferFrom(a, b, 0)` by anyone, with no allowance, emitted a `Transfer` between
  two holders (address poisoning in the register's source of truth).
"""

import ape
import pytest

from kabuto.onchain_types import ForcedTransferReason

ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def funded(accounts):
    """A second contract-less lock address, funded so it can send its own unlocks."""
    other = accounts.generate_test_account()
    accounts[0].transfer(other, 10**18)
    return other


def test_map_locks__survive_a_later_approval_carrying_authorisation(
    token, issuer, agent, venue, alice, bob
):
    """On 373e66d: lockedOf read 0 after the second authorisation and unlock reverted."""
    token.issue(alice, 100, b"", sender=agent)
    token.authorizeLockAddress(venue, True, False, sender=issuer)
    token.lock(venue, 30, b"", sender=alice)
    token.authorizeLockAddress(venue, True, True, sender=issuer)
    assert (token.lockedOf(venue, alice), token.totalLockedOf(alice)) == (30, 30)
    token.unlock(alice, bob, 10, b"", sender=venue)
    token.forceUnlock(venue, alice, alice, 20, b"", sender=agent)
    assert (token.balanceOf(alice), token.balanceOf(bob), token.freeBalanceOf(alice)) == (
        90,
        10,
        90,
    )
    assert token.lockedOf(venue, alice) == 0
    assert token.settlementLockAddress() == ZERO  # never inferred from authorisations


def test_settlement_lock_address__explicit__refused_for_a_map_lock_address(
    token, issuer, agent, venue, alice, outsider
):
    token.issue(alice, 100, b"", sender=agent)
    token.authorizeLockAddress(venue, True, False, sender=issuer)
    token.lock(venue, 30, b"", sender=alice)
    with ape.reverts(token.TokenSettlementLockAddressRefused):
        token.setSettlementLockAddress(venue, sender=issuer)
    with ape.reverts():
        token.setSettlementLockAddress(outsider, sender=alice)  # admin only
    assert token.settlementLockAddress() == ZERO
    assert token.lockedOf(venue, alice) == 30


def test_settlement_lock_address__replaced_only_while_nothing_is_locked_to_it(
    token, issuer, agent, venue, alice, bob, funded
):
    token.issue(alice, 100, b"", sender=agent)
    receipt = token.setSettlementLockAddress(funded, sender=issuer)
    event = receipt.events.filter(token.SettlementLockAddressSet)[0]
    assert (event.previous, event.current) == (ZERO, funded)
    token.authorizeLockAddress(funded, True, True, sender=issuer)
    token.lock(funded, 30, b"", sender=alice)
    assert token.settlementLockedTotal() == 30
    with ape.reverts(token.TokenSettlementLockAddressInUse):
        token.setSettlementLockAddress(venue, sender=issuer)
    # Moving to a new settlement contract: stop new locks, let the old instructions finish.
    token.authorizeLockAddress(funded, False, True, sender=issuer)
    token.unlock(alice, bob, 10, b"", sender=funded)
    token.unlock(alice, alice, 20, b"", sender=funded)
    assert token.settlementLockedTotal() == 0
    token.setSettlementLockAddress(venue, sender=issuer)
    token.authorizeLockAddress(venue, True, True, sender=issuer)
    token.lock(venue, 5, b"", sender=alice)
    assert token.settlementLockAddress() == venue
    assert (token.lockedOf(venue, alice), token.lockedOf(funded, alice)) == (5, 0)
    assert (token.freeBalanceOf(alice), token.settlementLockedTotal()) == (85, 5)


def test_forced_transfer_to_the_same_wallet__never_unfreezes(token, agent, compliance, alice):
    """Issue 14.5. On 373e66d the frozen amount went 50 -> 0 (TokensUnfrozen by the agent)."""
    token.issue(alice, 60, b"", sender=agent)
    token.freezePartialTokens(alice, 50, sender=compliance)
    with ape.reverts(token.TransferRestricted):
        token.forcedTransfer(
            alice, alice, 60, int(ForcedTransferReason.CORRECTION), b"", sender=agent
        )
    token.forcedTransfer(alice, alice, 10, int(ForcedTransferReason.CORRECTION), b"", sender=agent)
    assert (token.frozenTokensOf(alice), token.freeBalanceOf(alice)) == (50, 10)


def test_transfer_from__zero_value_by_a_stranger__refused(token, agent, alice, bob, outsider):
    """Issue 14.6. On 373e66d a stranger's transferFrom(alice, bob, 0) emitted Transfer."""
    token.issue(alice, 10, b"", sender=agent)
    token.issue(bob, 10, b"", sender=agent)
    assert token.allowance(alice, outsider) == 0
    with ape.reverts(token.TokenZeroValue):
        token.transferFrom(alice, bob, 0, sender=outsider)
    token.approve(outsider, 5, sender=alice)
    with ape.reverts(token.TokenZeroValue):
        token.transferFrom(alice, bob, 0, sender=outsider)
    # The holder's own zero-value movement stays an ERC-20 no-op transfer.
    receipt = token.transfer(bob, 0, sender=alice)
    assert receipt.events.filter(token.Transfer)[0].value == 0
