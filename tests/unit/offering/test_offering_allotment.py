"""Allotment and settlement: over- and under-subscription, atomic delivery against yen payment,
failures that move nothing, settling at most once, rerun-safe batches, and the ending states."""

from __future__ import annotations

from offering_support import UNIT_PRICE, YEN_PER_INVESTOR, decode_error, expect_refusal

from kabuto.allotment import Application, pro_rata
from kabuto.onchain_types import Restriction

# IPrimaryOffering.OfferingStatus / ApplicationStatus
OPEN, CLOSED, FINALIZED, CANCELLED = 1, 2, 3, 4
APPLIED, ALLOTTED, SETTLED, RELEASED, LAPSED = 1, 3, 4, 5, 6


def _subscribe(offering, open_offering, subscribers, issuer, applied, **terms):
    """Opens an offering, lets subscribers[i] apply for applied[i] units, closes it."""
    offering_id = open_offering(**terms)
    for wallet, units in zip(subscribers[: len(applied)], applied, strict=True):
        offering.applyForOffering(offering_id, units, sender=wallet)
    offering.closeOffering(offering_id, sender=issuer)
    return offering_id


def _assert_paid_equals_issued(offering, offering_id, token, coin, proceeds, proceeds_before=0):
    """The invariant: yen paid to the issuer == price * units issued by the offering."""
    view = offering.offering(offering_id)
    paid = coin.balanceOf(proceeds) - proceeds_before
    assert paid == view.terms.pricePerUnit * view.settledUnits
    assert token.totalSupply() == view.settledUnits
    assert view.settledUnits <= view.allottedUnits <= view.terms.offeredUnits


# ---------------------------------------------------------------- happy path


def test_happy_path__apply_close_allot_settle(
    offering, open_offering, token, paying, proceeds, subscribers, ids, issuer
):
    coin = paying
    alice, bob = subscribers[:2]
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [3, 2])

    receipt = offering.allot(offering_id, [ids[0], ids[1]], [3, 2], sender=issuer)
    events = receipt.events.filter(offering.Allotted)
    assert [(e.investorId, e.units, e.appliedUnits) for e in events] == [
        (ids[0], 3, 3),
        (ids[1], 2, 2),
    ]

    receipt = offering.settle(offering_id, ids[0], sender=issuer)
    (settled,) = receipt.events.filter(offering.AllotmentSettled)
    assert (settled.wallet, settled.units, settled.payment) == (alice.address, 3, 3 * UNIT_PRICE)
    (issued,) = receipt.events.filter(token.Issued)
    assert (issued.operator, issued.to, issued.value) == (offering.address, alice.address, 3)
    offering.settle(offering_id, ids[1], sender=bob)  # the subscriber may settle its own allotment

    assert (token.balanceOf(alice), token.balanceOf(bob)) == (3, 2)
    assert coin.balanceOf(alice) == YEN_PER_INVESTOR - 3 * UNIT_PRICE
    assert coin.balanceOf(proceeds) == 5 * UNIT_PRICE
    assert offering.applicationOf(offering_id, ids[0]).status == SETTLED
    _assert_paid_equals_issued(offering, offering_id, token, coin, proceeds)

    receipt = offering.finalizeOffering(offering_id, sender=issuer)
    (event,) = receipt.events.filter(offering.OfferingFinalized)
    assert (event.allottedUnits, event.settledUnits) == (5, 5)
    assert offering.offering(offering_id).status == FINALIZED


# ---------------------------------------------------------------- allotment rules


def test_over_subscription__pro_rata_partial_allotments(
    offering, open_offering, token, paying, proceeds, subscribers, ids, issuer
):
    """20 units applied for 10 offered: the issuer allots 3, 3, 2, 2 (kabuto.allotment.pro_rata,
    off-chain); the caps are verified on-chain."""
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [5, 5, 5, 5], minUnits=2)
    assert offering.offering(offering_id).appliedUnits == 20

    # More than offered in total: refused as a whole.
    expect_refusal(
        offering,
        "allot",
        offering_id,
        list(ids),
        [3, 3, 3, 2],
        sender=issuer,
        error="OfferingOverAllotted",
        allotted=11,
        offered=10,
    )
    # Below the minimum subscription of 2 units.
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[0]],
        [1],
        sender=issuer,
        error="OfferingAllotmentBelowMinimum",
        allotted=1,
        minUnits=2,
    )
    # More than applied for.
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[0]],
        [6],
        sender=issuer,
        error="OfferingAllotmentExceedsApplied",
        allotted=6,
        applied=5,
    )

    book = [Application(i, offering.applicationOf(offering_id, i).appliedUnits) for i in ids]
    allotments = pro_rata(book, offered=10, min_units=2)
    assert list(allotments.values()) == [3, 3, 2, 2]
    offering.allot(offering_id, [ids[0], ids[1]], [3, 3], sender=issuer)  # in batches
    offering.allot(offering_id, [ids[2], ids[3]], [2, 2], sender=issuer)
    assert offering.offering(offering_id).allottedUnits == 10
    # Allotting the same application twice is refused.
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[0]],
        [2],
        sender=issuer,
        error="OfferingWrongApplicationStatus",
        status=ALLOTTED,
    )

    assert offering.settleBatch(offering_id, list(ids), sender=issuer).return_value == 4
    assert [token.balanceOf(w) for w in subscribers] == [3, 3, 2, 2]
    _assert_paid_equals_issued(offering, offering_id, token, paying, proceeds)


def test_over_subscription__unallotted_applications_released_at_finalize(
    offering, open_offering, paying, subscribers, ids, issuer
):
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [5, 5, 5])
    offering.allot(offering_id, [ids[0], ids[1]], [5, 5], sender=issuer)
    offering.settle(offering_id, ids[0], sender=issuer)
    assert offering.applicationOf(offering_id, ids[2]).status == APPLIED
    offering.finalizeOffering(offering_id, sender=issuer)
    statuses = [offering.applicationOf(offering_id, i).status for i in ids[:3]]
    assert statuses == [SETTLED, LAPSED, RELEASED]
    # Nothing can be allotted or settled any more.
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[2]],
        [5],
        sender=issuer,
        error="OfferingWrongStatus",
        status=FINALIZED,
    )
    expect_refusal(
        offering,
        "settle",
        offering_id,
        ids[1],
        sender=issuer,
        error="OfferingWrongStatus",
        status=FINALIZED,
    )


def test_allot__while_open__refused(offering, open_offering, subscribers, ids, issuer):
    offering_id = open_offering()
    offering.applyForOffering(offering_id, 2, sender=subscribers[0])
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[0]],
        [2],
        sender=issuer,
        error="OfferingWrongStatus",
        status=OPEN,
    )


def test_allot__by_non_issuer_or_to_unknown_application__refused(
    offering, open_offering, subscribers, ids, issuer
):
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [2])
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[0]],
        [2],
        sender=subscribers[0],
        error="OfferingNotIssuer",
    )
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[1]],
        [2],
        sender=issuer,
        error="OfferingWrongApplicationStatus",
        status=0,
    )
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[0]],
        [2, 1],
        sender=issuer,
        error="OfferingArrayLengthMismatch",
    )


def test_allot__cancelled_application__refused(offering, open_offering, subscribers, ids, issuer):
    offering_id = open_offering()
    offering.applyForOffering(offering_id, 2, sender=subscribers[0])
    offering.cancelApplication(offering_id, sender=subscribers[0])
    offering.closeOffering(offering_id, sender=issuer)
    expect_refusal(
        offering,
        "allot",
        offering_id,
        [ids[0]],
        [2],
        sender=issuer,
        error="OfferingWrongApplicationStatus",
        status=2,
    )


# ---------------------------------------------------------------- under-subscription and cancelling


def test_under_subscription__issuer_allots_every_application(
    offering, open_offering, token, paying, proceeds, subscribers, ids, issuer
):
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [2, 1])
    assert offering.offering(offering_id).appliedUnits == 3  # of 10 offered
    offering.allot(offering_id, [ids[0], ids[1]], [2, 1], sender=issuer)
    offering.settleBatch(offering_id, [ids[0], ids[1]], sender=issuer)
    offering.finalizeOffering(offering_id, sender=issuer)
    assert token.totalSupply() == 3
    _assert_paid_equals_issued(offering, offering_id, token, paying, proceeds)


def test_under_subscription__issuer_cancels_the_offering(
    offering, open_offering, token, paying, proceeds, subscribers, ids, issuer
):
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [2, 1])
    offering.allot(offering_id, [ids[0]], [2], sender=issuer)
    receipt = offering.cancelOffering(offering_id, sender=issuer)
    (event,) = receipt.events.filter(offering.OfferingCancelled)
    assert event.issuer == issuer.address
    assert offering.offering(offering_id).status == CANCELLED
    assert [offering.applicationOf(offering_id, i).status for i in ids[:2]] == [LAPSED, RELEASED]
    expect_refusal(
        offering,
        "settle",
        offering_id,
        ids[0],
        sender=issuer,
        error="OfferingWrongStatus",
        status=CANCELLED,
    )
    assert token.totalSupply() == 0 and paying.balanceOf(proceeds) == 0


def test_cancel_offering__while_open__releases_applications(
    offering, open_offering, subscribers, ids, issuer
):
    offering_id = open_offering()
    offering.applyForOffering(offering_id, 2, sender=subscribers[0])
    offering.cancelOffering(offering_id, sender=issuer)
    assert offering.applicationOf(offering_id, ids[0]).status == RELEASED
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=subscribers[1],
        error="OfferingWrongStatus",
    )


def test_cancel_offering__after_a_settlement__refused(
    offering, open_offering, paying, subscribers, ids, issuer
):
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [2])
    offering.allot(offering_id, [ids[0]], [2], sender=issuer)
    offering.settle(offering_id, ids[0], sender=issuer)
    expect_refusal(
        offering,
        "cancelOffering",
        offering_id,
        sender=issuer,
        error="OfferingHasSettlements",
        settledUnits=2,
    )
    expect_refusal(
        offering, "cancelOffering", offering_id, sender=subscribers[0], error="OfferingNotIssuer"
    )


# ---------------------------------------------------------------- settlement: all or nothing, once


def _allotted(offering, open_offering, subscribers, ids, issuer, units=3):
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [units])
    offering.allot(offering_id, [ids[0]], [units], sender=issuer)
    return offering_id


def test_settle__without_allowance__nothing_paid_nothing_issued(
    offering, open_offering, token, coin, proceeds, subscribers, ids, issuer
):
    offering_id = _allotted(offering, open_offering, subscribers, ids, issuer)
    coin.approve(offering, 3 * UNIT_PRICE - 1, sender=subscribers[0])
    expect_refusal(
        offering,
        "settle",
        offering_id,
        ids[0],
        sender=issuer,
        raised_by=coin,
        error="ERC20InsufficientAllowance",
        needed=3 * UNIT_PRICE,
    )
    assert token.totalSupply() == 0 and coin.balanceOf(proceeds) == 0
    assert offering.applicationOf(offering_id, ids[0]).status == ALLOTTED


def test_settle__without_enough_yen__nothing_paid_nothing_issued(
    offering, open_offering, token, paying, proceeds, subscribers, ids, issuer, outsider
):
    alice = subscribers[0]
    offering_id = _allotted(offering, open_offering, subscribers, ids, issuer, units=5)
    paying.transfer(outsider, YEN_PER_INVESTOR - 5 * UNIT_PRICE + 1, sender=alice)
    expect_refusal(
        offering,
        "settle",
        offering_id,
        ids[0],
        sender=issuer,
        raised_by=paying,
        error="ERC20InsufficientBalance",
        balance=5 * UNIT_PRICE - 1,
        needed=5 * UNIT_PRICE,
    )
    assert token.balanceOf(alice) == 0 and paying.balanceOf(proceeds) == 0
    assert offering.offering(offering_id).settledUnits == 0
    assert offering.applicationOf(offering_id, ids[0]).status == ALLOTTED


def test_settle__token_refuses_the_issue__no_yen_taken(
    offering, open_offering, token, paying, proceeds, registry, registrar, subscribers, ids, issuer
):
    """KYC suspended after allotment: the issue leg fails, so the payment leg is undone too."""
    offering_id = _allotted(offering, open_offering, subscribers, ids, issuer)
    registry.setInvestorStatus(ids[0], 2, sender=registrar)  # Suspended
    expect_refusal(
        offering,
        "settle",
        offering_id,
        ids[0],
        sender=issuer,
        raised_by=token,
        error="TransferRestricted",
        code=Restriction.RECIPIENT_NOT_ACTIVE,
    )
    assert paying.balanceOf(proceeds) == 0


def test_settle__twice__refused(offering, open_offering, token, paying, subscribers, ids, issuer):
    offering_id = _allotted(offering, open_offering, subscribers, ids, issuer)
    offering.settle(offering_id, ids[0], sender=issuer)
    expect_refusal(
        offering,
        "settle",
        offering_id,
        ids[0],
        sender=issuer,
        error="OfferingWrongApplicationStatus",
        status=SETTLED,
    )
    assert token.balanceOf(subscribers[0]) == 3


def test_settle__by_someone_else__refused(
    offering, open_offering, paying, subscribers, ids, issuer, outsider
):
    offering_id = _allotted(offering, open_offering, subscribers, ids, issuer)
    expect_refusal(
        offering,
        "settle",
        offering_id,
        ids[0],
        sender=subscribers[1],
        error="OfferingNotSubscriberOrIssuer",
        caller=subscribers[1].address,
    )
    expect_refusal(
        offering, "settleBatch", offering_id, [ids[0]], sender=outsider, error="OfferingNotIssuer"
    )
    expect_refusal(
        offering, "settleFromBatch", offering_id, ids[0], sender=outsider, error="OfferingOnlySelf"
    )


def test_settle__follows_a_replaced_wallet(
    offering, open_offering, token, paying, registry, registrar, subscribers, ids, issuer, outsider
):
    """A lost key between allotment and payment: the units go to (and the yen come from) the
    investor's new wallet."""
    offering_id = _allotted(offering, open_offering, subscribers, ids, issuer)
    new_wallet = outsider
    registry.replaceWallet(ids[0], new_wallet, sender=registrar)
    paying.transfer(new_wallet, 3 * UNIT_PRICE, sender=subscribers[0])
    paying.approve(offering, 3 * UNIT_PRICE, sender=new_wallet)
    receipt = offering.settle(offering_id, ids[0], sender=issuer)
    assert receipt.events.filter(offering.AllotmentSettled)[0].wallet == new_wallet.address
    assert token.balanceOf(new_wallet) == 3 and token.balanceOf(subscribers[0]) == 0


# ---------------------------------------------------------------- batches


def test_settle_batch__failures_reported__rerun_pays_and_issues_nobody_twice(
    offering, open_offering, token, paying, proceeds, subscribers, ids, issuer
):
    offering_id = _subscribe(offering, open_offering, subscribers, issuer, [3, 2, 4, 1])
    offering.allot(offering_id, list(ids), [3, 2, 4, 1], sender=issuer)
    offering.settle(offering_id, ids[0], sender=issuer)  # settled before the batch
    paying.approve(offering, 0, sender=subscribers[2])  # carol has withdrawn her allowance

    receipt = offering.settleBatch(offering_id, list(ids), sender=issuer)
    assert receipt.return_value == 2  # bob and dave; alice skipped, carol failed
    settled = [e.investorId for e in receipt.events.filter(offering.AllotmentSettled)]
    assert settled == [ids[1], ids[3]]
    (failed,) = receipt.events.filter(offering.AllotmentSettlementFailed)
    assert failed.investorId == ids[2]
    reason = decode_error(failed.reason, paying)
    assert type(reason).__name__ == "ERC20InsufficientAllowance"
    assert reason.inputs["needed"] == 4 * UNIT_PRICE
    assert [offering.applicationOf(offering_id, i).status for i in ids] == [
        SETTLED,
        SETTLED,
        ALLOTTED,
        SETTLED,
    ]
    _assert_paid_equals_issued(offering, offering_id, token, paying, proceeds)

    balances = [token.balanceOf(w) for w in subscribers]
    receipt = offering.settleBatch(
        offering_id, list(ids), sender=issuer
    )  # rerun: only carol, failing again
    assert receipt.return_value == 0
    assert [token.balanceOf(w) for w in subscribers] == balances
    _assert_paid_equals_issued(offering, offering_id, token, paying, proceeds)

    paying.approve(offering, 4 * UNIT_PRICE, sender=subscribers[2])
    receipt = offering.settleBatch(offering_id, list(ids), sender=issuer)
    assert receipt.return_value == 1
    assert [token.balanceOf(w) for w in subscribers] == [3, 2, 4, 1]
    assert paying.balanceOf(proceeds) == 10 * UNIT_PRICE
    _assert_paid_equals_issued(offering, offering_id, token, paying, proceeds)


def test_settle_batch__offering_not_closed__refused(offering, open_offering, issuer, ids):
    offering_id = open_offering()
    expect_refusal(
        offering,
        "settleBatch",
        offering_id,
        [ids[0]],
        sender=issuer,
        error="OfferingWrongStatus",
        status=OPEN,
    )


# ---------------------------------------------------------------- gas


def test_gas__apply_and_settle_one_allotment(
    offering, open_offering, paying, subscribers, ids, issuer
):
    """Reported for docs/offering.md: a first application, and settling an allotment to a new holder
    (yen to a proceeds account that already holds yen)."""
    offering_id = open_offering()
    apply_gas = [
        offering.applyForOffering(offering_id, 2, sender=w).gas_used for w in subscribers[:2]
    ]
    offering.closeOffering(offering_id, sender=issuer)
    offering.allot(offering_id, list(ids[:2]), [2, 2], sender=issuer)
    settle_gas = [offering.settle(offering_id, i, sender=issuer).gas_used for i in ids[:2]]
    print(
        f"\ngas: apply {apply_gas}, settle one allotment {settle_gas} (first pays into an empty proceeds account)"
    )
    assert max(apply_gas) < 100_000
    assert settle_gas[1] < 170_000
