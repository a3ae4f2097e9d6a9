"""Findings of issues 16 and 14 (points 5 and 6) on the token, each reproduced first on main
(373e66d) and kept as a regression test:

- issue 16: `authorizeLockAddress(a, true, true)` made `a` the settlement lock address when none
  existed yet, even when `a` already held locks in the lock map: `lockedOf` then read the account
  word (0), `unlock` and `forceUnlock` reverted and the units stayed encumbered for good. The
  settlement lock address is now named explicitly (`setSettlementLockAddress`), never inferred,
  and replacing it keeps every lock with the address it was made to (generations in the account
  word: docs/settlement.md). The replacement tests failed on 21e99d2, where a replacement was
  refused while anything was locked (`TokenSettlementLockAddressInUse`).
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


def _ledger(token, holders):
    """Every holder's balance is free + frozen + pending + locked (no unit counted twice)."""
    for holder in holders:
        parts = (
            token.freeBalanceOf(holder),
            token.frozenTokensOf(holder),
            token.pendingOf(holder),
            token.totalLockedOf(holder),
        )
        assert sum(parts) == token.balanceOf(holder), (holder, parts)


def test_settlement_lock_address__replaced_while_locked__old_locks_stay_with_the_old_address(
    token, issuer, agent, venue, alice, bob, carol, funded
):
    """Replacement at any time (generations): what was locked to the old settlement address stays
    locked to it and it (or the agent) still releases it; new locks go to the new address."""
    for holder in (alice, bob, carol):
        token.issue(holder, 100, b"", sender=agent)
    receipt = token.setSettlementLockAddress(funded, sender=issuer)
    event = receipt.events.filter(token.SettlementLockAddressSet)[0]
    assert (event.previous, event.current) == (ZERO, funded)
    token.authorizeLockAddress(funded, True, True, sender=issuer)
    token.lock(funded, 30, b"", sender=alice)
    token.lock(funded, 10, b"", sender=bob)
    token.lock(funded, 7, b"", sender=carol)

    receipt = token.setSettlementLockAddress(venue, sender=issuer)  # while 47 units are locked
    event = receipt.events.filter(token.SettlementLockAddressSet)[0]
    assert (event.previous, event.current) == (funded, venue)
    token.authorizeLockAddress(venue, True, True, sender=issuer)
    token.authorizeLockAddress(funded, False, True, sender=issuer)  # no new locks to the old one
    assert token.settlementLockAddress() == venue
    assert list(token.settlementLockAddresses()) == [funded, venue]
    assert [token.lockedOf(funded, h) for h in (alice, bob, carol)] == [30, 10, 7]
    assert [token.lockedOf(venue, h) for h in (alice, bob, carol)] == [0, 0, 0]
    with ape.reverts(token.TokenUnauthorizedLockAddress):
        token.lock(funded, 1, b"", sender=alice)

    # A new lock goes to the new address; alice's old lock is moved out of her account word
    # (to the lock map under the old address) on this first touch, unchanged in amount.
    token.lock(venue, 5, b"", sender=alice)
    assert (token.lockedOf(funded, alice), token.lockedOf(venue, alice)) == (30, 5)
    assert token.totalLockedOf(alice) == 35 and token.freeBalanceOf(alice) == 65
    _ledger(token, [alice, bob, carol])

    # The old address releases from the lock map (alice) and from an untouched word (bob).
    token.unlock(alice, bob, 10, b"", sender=funded)
    token.unlock(bob, carol, 4, b"", sender=funded)
    token.unlock(bob, bob, 6, b"", sender=funded)
    token.forceUnlock(funded, alice, alice, 20, b"", sender=agent)
    with ape.reverts(token.TokenInsufficientLocked):
        token.unlock(alice, alice, 1, b"", sender=funded)
    # The new address cannot touch the old address's locks.
    with ape.reverts(token.TokenInsufficientLocked):
        token.unlock(carol, carol, 1, b"", sender=venue)
    token.unlock(alice, bob, 5, b"", sender=venue)
    assert [token.lockedOf(funded, h) for h in (alice, bob, carol)] == [0, 0, 7]
    assert [token.lockedOf(venue, h) for h in (alice, bob, carol)] == [0, 0, 0]
    assert [token.balanceOf(h) for h in (alice, bob, carol)] == [85, 111, 104]
    _ledger(token, [alice, bob, carol])

    # carol's word still carries the old generation: her first lock to the new address
    # moves it to the map; the old address then releases it there.
    token.lock(venue, 3, b"", sender=carol)
    assert (token.lockedOf(funded, carol), token.lockedOf(venue, carol)) == (7, 3)
    token.unlock(carol, carol, 7, b"", sender=funded)
    token.unlock(carol, carol, 3, b"", sender=venue)
    assert token.freeBalanceOf(carol) == token.balanceOf(carol) == 104
    _ledger(token, [alice, bob, carol])


def test_settlement_lock_address__a_replaced_address_is_never_named_again(
    token, issuer, agent, venue, alice, funded
):
    """The stranded-lock shape after a replacement: the old address keeps its locks in the lock
    map, which is not read for the current settlement lock address, so naming it again is
    refused (as is naming the current one again)."""
    token.issue(alice, 100, b"", sender=agent)
    token.setSettlementLockAddress(funded, sender=issuer)
    token.authorizeLockAddress(funded, True, True, sender=issuer)
    with ape.reverts(token.TokenSettlementLockAddressRefused):
        token.setSettlementLockAddress(funded, sender=issuer)
    token.lock(funded, 30, b"", sender=alice)
    token.setSettlementLockAddress(venue, sender=issuer)
    token.lock(funded, 10, b"", sender=alice)  # still authorised: into the lock map
    assert token.lockedOf(funded, alice) == 40
    with ape.reverts(token.TokenSettlementLockAddressRefused):
        token.setSettlementLockAddress(funded, sender=issuer)
    token.setSettlementLockAddress(ZERO, sender=issuer)  # no settlement lock address at all
    assert token.lockedOf(funded, alice) == 40
    token.unlock(alice, alice, 40, b"", sender=funded)
    assert token.freeBalanceOf(alice) == 100


def test_recovery__after_a_replacement__old_settlement_locks_follow_the_investor(
    token, registry, registrar, issuer, agent, venue, alice, accounts, funded
):
    from fixtures.platform import investor_id_for

    token.issue(alice, 100, b"", sender=agent)
    token.setSettlementLockAddress(funded, sender=issuer)
    token.authorizeLockAddress(funded, True, True, sender=issuer)
    token.lock(funded, 30, b"", sender=alice)
    token.setSettlementLockAddress(venue, sender=issuer)
    token.authorizeLockAddress(venue, True, True, sender=issuer)
    new_wallet = accounts.generate_test_account()
    registry.replaceWallet(investor_id_for(alice), new_wallet, sender=registrar)
    token.recoveryAddress(alice, new_wallet, sender=agent)
    assert (token.lockedOf(funded, new_wallet), token.lockedOf(funded, alice)) == (30, 0)
    assert token.lockedOf(venue, new_wallet) == 0
    token.unlock(new_wallet, new_wallet, 30, b"", sender=funded)
    assert token.freeBalanceOf(new_wallet) == 100
    _ledger(token, [alice, new_wallet])


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
