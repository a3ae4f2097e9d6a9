"""Issuer-approved transfers and locks: every application state, locks, and the ledger invariant
(totalSupply == sum of balances; free + frozen + pending + locked == balance) at every step."""

import ape
import pytest

from kabuto.onchain_types import (
    PROFESSIONAL_CLASSES,
    ApplicationStatus,
    Category,
    InvestorClass,
    Rules,
)
from kabuto.ops.approvals import applied, fields_hash


def assert_ledger(token, holders):
    balances = [token.balanceOf(h) for h in holders]
    assert token.totalSupply() == sum(balances)
    for holder, balance in zip(holders, balances, strict=True):
        parts = (
            token.freeBalanceOf(holder),
            token.frozenTokensOf(holder),
            token.pendingOf(holder),
            token.totalLockedOf(holder),
        )
        assert sum(parts) == balance, (
            f"{holder}: free/frozen/pending/locked {parts} != balance {balance}"
        )


@pytest.fixture
def excluded(make_token, enroll, agent, alice, bob, carol):
    """An ExcludedClass2 token: professionals only, every transfer through the issuer's approval."""
    for wallet in (alice, bob, carol):
        enroll(wallet, cls=InvestorClass.SPECIFIED)
    token = make_token(
        category=Category.EXCLUDED_CLASS2,
        rules=Rules(allowed_classes=PROFESSIONAL_CLASSES, approval_required=True),
    )
    token.issue(alice, 100, b"", sender=agent)
    return token


def test_apply__amount_becomes_pending__cannot_be_spent_twice(excluded, alice, bob, carol):
    receipt = excluded.applyForTransfer(bob, 60, b"order-1", sender=alice)
    event = receipt.events.filter(excluded.TransferApplied)[0]
    assert excluded.application(0).fieldsHash == fields_hash(alice.address, bob.address, 60, 0)
    assert (event.id, event["from"], event.to, event.value, event.data) == (
        0,
        alice,
        bob,
        60,
        b"order-1",
    )
    assert excluded.pendingOf(alice) == 60
    assert excluded.freeBalanceOf(alice) == 40
    assert excluded.application(0).status == ApplicationStatus.PENDING
    with ape.reverts(excluded.TransferRestricted):
        excluded.applyForTransfer(carol, 41, b"", sender=alice)
    assert_ledger(excluded, [alice, bob, carol])


def test_approve__moves_atomically__status_approved(excluded, agent, alice, bob, carol):
    app = applied(excluded, excluded.applyForTransfer(bob, 60, b"", sender=alice)).fields
    receipt = excluded.approveTransfer(app, b"ok", sender=agent)
    event = receipt.events.filter(excluded.TransferApproved)[0]
    assert (event.id, event["from"], event.to, event.value, event.data) == (
        0,
        alice,
        bob,
        60,
        b"ok",
    )
    assert receipt.events.filter(excluded.Transfer)[0].value == 60
    assert (excluded.balanceOf(alice), excluded.balanceOf(bob), excluded.pendingOf(alice)) == (
        40,
        60,
        0,
    )
    assert excluded.application(0).status == ApplicationStatus.APPROVED
    assert excluded.holderCount() == 2
    with ape.reverts(excluded.TokenApplicationNotPending):  # a double approval
        excluded.approveTransfer(app, b"", sender=agent)
    assert_ledger(excluded, [alice, bob, carol])


def test_reject_and_cancel__return_the_amount(excluded, agent, alice, bob, carol):
    first = applied(excluded, excluded.applyForTransfer(bob, 30, b"", sender=alice)).fields
    second = applied(excluded, excluded.applyForTransfer(carol, 20, b"", sender=alice)).fields
    assert excluded.pendingOf(alice) == 50
    receipt = excluded.rejectTransfer(first, b"no", sender=agent)
    assert receipt.events.filter(excluded.TransferRejected)[0].value == 30
    with ape.reverts(excluded.TokenNotApplicant):
        excluded.cancelTransfer(second, b"", sender=bob)
    receipt = excluded.cancelTransfer(second, b"changed my mind", sender=alice)
    assert receipt.events.filter(excluded.TransferCancelled)[0].to == carol
    assert [excluded.application(i).status for i in (0, 1)] == [
        ApplicationStatus.REJECTED,
        ApplicationStatus.CANCELLED,
    ]
    assert (excluded.pendingOf(alice), excluded.freeBalanceOf(alice)) == (0, 100)
    with ape.reverts(excluded.TokenApplicationNotPending):
        excluded.rejectTransfer(second, b"", sender=agent)
    with ape.reverts(excluded.TokenUnknownApplication):
        excluded.rejectTransfer((2, *second[1:]), b"", sender=agent)
    with ape.reverts(excluded.TokenUnknownApplication):
        excluded.application(2)
    assert_ledger(excluded, [alice, bob, carol])


def test_expiry__anyone_releases_after_it__approval_refused(
    excluded, chain, issuer, agent, alice, bob, outsider
):
    excluded.setApplicationExpiryPeriod(100, sender=issuer)
    app = applied(excluded, excluded.applyForTransfer(bob, 10, b"", sender=alice))
    expiry = app.expiry
    assert expiry > 0
    with ape.reverts(excluded.TokenApplicationNotExpired):
        excluded.releaseExpiredTransfer(app.fields, sender=outsider)
    # The expiry is one of the hashed fields: a later one passed in calldata is refused.
    with ape.reverts(excluded.TokenApplicationMismatch):
        excluded.approveTransfer((*app.fields[:3], 0, app.value), b"", sender=agent)
    chain.pending_timestamp = expiry + 1
    with ape.reverts(excluded.TokenApplicationExpired):
        excluded.approveTransfer(app.fields, b"", sender=agent)
    with ape.reverts(excluded.TokenApplicationMismatch):
        excluded.approveTransfer((*app.fields[:3], expiry + 1000, app.value), b"", sender=agent)
    receipt = excluded.releaseExpiredTransfer(app.fields, sender=outsider)
    assert receipt.events.filter(excluded.TransferExpired)[0].value == 10
    assert excluded.application(0).status == ApplicationStatus.EXPIRED
    assert excluded.pendingOf(alice) == 0
    assert_ledger(excluded, [alice, bob])


def test_batch_approve__all_or_nothing(excluded, registry, registrar, agent, alice, bob, carol):
    apps = [
        applied(excluded, excluded.applyForTransfer(to, 10, b"", sender=alice)).fields
        for to in (bob, carol)
    ]
    # carol's KYC registrar suspends her after she was named: the batch fails as a whole.
    from fixtures.platform import investor_id_for

    registry.setInvestorStatus(investor_id_for(carol), 2, sender=registrar)
    with ape.reverts(excluded.TransferRestricted):
        excluded.batchApproveTransfer(apps, b"", sender=agent)
    assert excluded.pendingOf(alice) == 20
    registry.setInvestorStatus(investor_id_for(carol), 1, sender=registrar)
    excluded.batchApproveTransfer(apps, b"", sender=agent)
    assert (excluded.balanceOf(bob), excluded.balanceOf(carol), excluded.pendingOf(alice)) == (
        10,
        10,
        0,
    )
    assert_ledger(excluded, [alice, bob, carol])


def test_direct_transfer_on_excluded_class2__refused_with_approval_required(excluded, alice, bob):
    with ape.reverts(excluded.TransferRestricted):
        excluded.transfer(bob, 1, sender=alice)
    assert excluded.detectTransferRestriction(alice, bob, 1) == 14  # ApprovalRequired


# The settlement lock address (named with setSettlementLockAddress) keeps its locks in the
# holder's account word instead of the per-lock-address map.
LOCK_STORAGE = pytest.mark.parametrize(
    "settlement_lock", [False, True], ids=["lock-map", "account-word"]
)


@LOCK_STORAGE
def test_locks__lock_unlock_force__never_spent_twice(
    token, issuer, agent, venue, alice, bob, outsider, settlement_lock
):
    token.issue(alice, 100, b"", sender=agent)
    with ape.reverts(token.TokenUnauthorizedLockAddress):
        token.lock(venue, 10, b"", sender=alice)
    if settlement_lock:
        token.setSettlementLockAddress(venue, sender=issuer)
    receipt = token.authorizeLockAddress(venue, True, settlement_lock, sender=issuer)
    assert receipt.events.filter(token.LockAddressAuthorized)[0].lockAddress == venue
    assert token.settlementLockAddress() == (
        venue.address if settlement_lock else ape.utils.ZERO_ADDRESS
    )
    receipt = token.lock(venue, 70, b"listing", sender=alice)
    assert receipt.events.filter(token.Locked)[0].value == 70
    assert (token.lockedOf(venue, alice), token.freeBalanceOf(alice)) == (70, 30)
    with ape.reverts(token.TransferRestricted):
        token.transfer(bob, 31, sender=alice)
    with ape.reverts(token.TokenInsufficientLocked):
        token.unlock(alice, bob, 10, b"", sender=outsider)
    receipt = token.unlock(alice, bob, 20, b"trade", sender=venue)
    assert receipt.events.filter(token.Unlocked)[0].recipient == bob
    token.unlock(alice, alice, 10, b"", sender=venue)
    assert (token.balanceOf(alice), token.lockedOf(venue, alice), token.balanceOf(bob)) == (
        80,
        40,
        20,
    )
    assert_ledger(token, [alice, bob])
    receipt = token.forceLock(venue, bob, 5, b"seizure", sender=agent)
    assert receipt.events.filter(token.ForceLocked)[0].account == bob
    receipt = token.forceUnlock(venue, alice, bob, 40, b"court", sender=agent)
    assert receipt.events.filter(token.ForceUnlocked)[0].value == 40
    assert (token.balanceOf(alice), token.balanceOf(bob), token.totalLockedOf(bob)) == (40, 60, 5)
    assert_ledger(token, [alice, bob])


@LOCK_STORAGE
def test_recovery__carries_frozen_pending_locked_and_wallet_freeze(
    token,
    registry,
    registrar,
    issuer,
    agent,
    compliance,
    venue,
    alice,
    bob,
    accounts,
    settlement_lock,
):
    from fixtures.platform import investor_id_for

    token.issue(alice, 100, b"", sender=agent)
    token.issue(bob, 5, b"", sender=agent)
    if settlement_lock:
        token.setSettlementLockAddress(venue, sender=issuer)
    token.authorizeLockAddress(venue, True, settlement_lock, sender=issuer)
    token.lock(venue, 30, b"", sender=alice)
    app = applied(token, token.applyForTransfer(bob, 20, b"", sender=alice)).fields
    token.freezePartialTokens(alice, 10, sender=compliance)
    token.setAddressFrozen(alice, True, sender=compliance)
    count = token.holderCount()
    new_wallet = accounts.generate_test_account()
    with ape.reverts(token.TokenRecoveryNotRegistered):
        token.recoveryAddress(alice, new_wallet, sender=agent)
    registry.replaceWallet(investor_id_for(alice), new_wallet, sender=registrar)

    receipt = token.recoveryAddress(alice, new_wallet, sender=agent)
    event = receipt.events.filter(token.RecoverySuccess)[0]
    assert (event.lostWallet, event.newWallet, event.investorId) == (
        alice,
        new_wallet,
        investor_id_for(alice),
    )
    assert token.balanceOf(alice) == 0 and token.balanceOf(new_wallet) == 100
    assert (
        token.frozenTokensOf(new_wallet),
        token.lockedOf(venue, new_wallet),
        token.pendingOf(new_wallet),
    ) == (10, 30, 20)
    assert token.isFrozen(new_wallet) and not token.isFrozen(alice)
    assert (
        token.lockedOf(venue, alice) == 0
        and receipt.events.filter(token.LockRecovered)[0].value == 30
    )
    assert token.holderCount() == count
    assert_ledger(token, [alice, new_wallet, bob])
    # The application filed from the lost wallet settles from the new one; the lock unlocks too.
    token.setAddressFrozen(new_wallet, False, sender=compliance)
    token.approveTransfer(app, b"", sender=agent)
    token.unlock(new_wallet, bob, 30, b"", sender=venue)
    assert (token.balanceOf(new_wallet), token.balanceOf(bob)) == (50, 55)
    assert_ledger(token, [alice, new_wallet, bob])


def test_forced_transfer__takes_frozen_units_after_free_ones(token, agent, compliance, alice, bob):
    token.issue(alice, 50, b"", sender=agent)
    token.freezePartialTokens(alice, 40, sender=compliance)
    token.setAddressFrozen(alice, True, sender=compliance)
    receipt = token.forcedTransfer(alice, bob, 45, 0, b"court order 1", sender=agent)
    event = receipt.events.filter(token.ForcedTransfer)[0]
    assert (event.reason, event.value, event.data) == (0, 45, b"court order 1")
    assert receipt.events.filter(token.TokensUnfrozen)[0].value == 35
    assert (token.balanceOf(alice), token.frozenTokensOf(alice), token.balanceOf(bob)) == (5, 5, 45)
    with ape.reverts(token.TokenInsufficientFrozen):
        token.unfreezePartialTokens(alice, 6, sender=compliance)
    assert_ledger(token, [alice, bob])


def test_application_to_oneself__approval_releases_the_pending_amount(excluded, agent, alice):
    app = applied(excluded, excluded.applyForTransfer(alice, 10, b"", sender=alice)).fields
    excluded.approveTransfer(app, b"", sender=agent)
    assert (
        excluded.balanceOf(alice),
        excluded.pendingOf(alice),
        excluded.freeBalanceOf(alice),
    ) == (100, 0, 100)
    assert_ledger(excluded, [alice])


def test_forced_transfer_to_the_same_wallet__takes_free_units_only(token, agent, compliance, alice):
    token.issue(alice, 10, b"", sender=agent)
    token.freezePartialTokens(alice, 8, sender=compliance)
    # Only the 2 free units can be forced to the same wallet: a freeze is compliance's to undo.
    with ape.reverts(token.TransferRestricted):
        token.forcedTransfer(alice, alice, 9, 2, b"correction", sender=agent)
    token.forcedTransfer(alice, alice, 2, 2, b"correction", sender=agent)
    assert (token.balanceOf(alice), token.frozenTokensOf(alice), token.freeBalanceOf(alice)) == (
        10,
        8,
        2,
    )
    assert_ledger(token, [alice])


def test_settlement_lock_address__named_explicitly__other_lock_addresses_use_the_map(
    token, issuer, agent, venue, alice, bob, accounts
):
    other = accounts.generate_test_account()
    accounts[0].transfer(other, 10**18)
    token.setSettlementLockAddress(other, sender=issuer)
    token.authorizeLockAddress(venue, True, False, sender=issuer)
    token.authorizeLockAddress(other, True, True, sender=issuer)
    token.authorizeLockAddress(venue, True, True, sender=issuer)
    assert token.settlementLockAddress() == other
    assert list(token.lockAddresses()) == [venue, other]
    token.issue(alice, 100, b"", sender=agent)
    token.lock(other, 30, b"", sender=alice)
    token.lock(venue, 20, b"", sender=alice)
    assert (
        token.lockedOf(other, alice),
        token.lockedOf(venue, alice),
        token.totalLockedOf(alice),
    ) == (30, 20, 50)
    token.unlock(alice, bob, 30, b"", sender=other)
    assert (token.lockedOf(other, alice), token.balanceOf(bob), token.freeBalanceOf(alice)) == (
        0,
        30,
        50,
    )
    assert_ledger(token, [alice, bob])
