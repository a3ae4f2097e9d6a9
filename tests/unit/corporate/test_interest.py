"""Interest paid on-chain to the holders of record: record-date balances, per-holder truncation,
withholding by investor class, batches that can be rerun, claims, and reconciliation to the yen."""

from datetime import timedelta

import ape
import pytest
from ape.exceptions import TransactionError

from kabuto.coupons import (
    NO_TAX,
    add_months,
    coupon,
    end_of_jst_day,
    holder_payments,
    jst_midnight,
    required_funding,
)
from kabuto.ops.payments import holder_amounts

QII = 2  # IInvestorRegistry.InvestorClass.QualifiedInstitutional

PAID, HELD, UNPAID = 1, 2, 0


def reconcile(p, payment_id):
    """funded = paid + withheld + held + reclaimed + unpaid, and the contract holds the rest."""
    pay = p.corp.payment(payment_id)
    unpaid = p.corp.unpaidOf(payment_id)
    assert pay.funded == pay.paid + pay.withheld + pay.held + pay.reclaimed + unpaid
    return pay, unpaid


@pytest.fixture
def sbi_bond(make_bond, today):
    """Issued two days from now, coupons every six months for a year (regular periods)."""
    issue = today + timedelta(days=2)
    return make_bond(issue, [add_months(issue, 6), add_months(issue, 12)])


def test_coupon__holders_trade_across_record_date__paid_on_record_date_balances(
    sbi_bond, investors, withholding_of
):
    p = sbi_bond
    a, b, c, d = investors[:4]
    p.issue({a: 3, b: 5})
    p.issue({c: 2}, klass=QII)
    p.onboard(d)
    payment_id = p.declare_interest(0)
    p.token.transfer(b, 1, sender=a)  # a 2, b 6
    p.travel(end_of_jst_day(p.record_days[0]) - 600)  # the last minutes of the record date
    p.token.transfer(c, 1, sender=b)  # b 5, c 3: still counts
    p.after_record_date(0)
    p.token.transfer(d, 4, sender=b)  # after the record date: changes nothing
    p.token.transfer(d, 2, sender=a)
    record = {a: 2, b: 5, c: 3, d: 0}
    assert [p.token.balanceOfAtRecordDate(h, 0) for h in record] == list(record.values())

    per_unit = coupon(p.terms, 0).per_unit
    assert per_unit.gross(1) == 175  # 100,000 x 0.35% / 2
    p.corp.fund(payment_id, sender=p.agent)
    assert p.corp.payment(payment_id).funded == required_funding(10, per_unit) == 1_750

    p.on_payment_date(0)
    before = p.balances(list(record) + [p.tax_office])
    receipt = p.corp.payBatch(payment_id, list(record), sender=p.agent)

    expected = holder_payments(
        {str(h): u for h, u in record.items()},
        per_unit,
        {str(a): withholding_of(0), str(b): withholding_of(0), str(c): NO_TAX},
    )
    by_holder = {line.holder: line for line in expected}
    deltas = [
        after - prior
        for after, prior in zip(p.balances(list(record) + [p.tax_office]), before, strict=True)
    ]
    assert deltas[:4] == [by_holder[str(h)].net if str(h) in by_holder else 0 for h in record]
    assert deltas[0] == 350 - 70  # 2 units: 350 gross, 53 + 17 tax
    assert deltas[4] == sum(line.tax for line in expected)
    events = receipt.events.filter(p.corp.HolderPaid)
    amounts = [(e.holder, holder_amounts(e.amounts)) for e in events]
    assert [(h, a.units, a.gross, a.tax, a.net) for h, a in amounts] == [
        (line.holder, line.units, line.gross, line.tax, line.net) for line in expected
    ]
    pay, unpaid = reconcile(p, payment_id)
    assert (pay.paid, pay.withheld, unpaid) == (
        sum(x.net for x in expected),
        sum(x.tax for x in expected),
        0,
    )
    assert p.corp.entryOf(payment_id, d) == (UNPAID, 0)  # held nothing at the record date


def test_short_first_period__actual_365_matches_reference(make_bond, today, investors):
    issue = today + timedelta(days=2)
    first = issue + timedelta(days=135)
    p = make_bond(issue, [first, add_months(first, 6)])
    a, b = investors[:2]
    p.issue({a: 3, b: 1}, klass=QII)  # untaxed: the gross is what arrives
    payment_id = p.declare_and_fund_interest(0)
    declared = p.corp.payment(payment_id)
    reference = coupon(p.terms, 0)
    assert not reference.regular and reference.days == 135
    assert (declared.amountNumerator, declared.amountDenominator) == (
        reference.per_unit.numerator,
        reference.per_unit.denominator,
    )
    p.on_payment_date(0)
    before = p.balances([a, b])
    p.corp.payBatch(payment_id, [a, b], sender=p.agent)
    gained = [x - y for x, y in zip(p.balances([a, b]), before, strict=True)]
    assert gained == [388, 129]  # 3 x 129.45 truncated once: 388, not 387
    pay, unpaid = reconcile(p, payment_id)
    assert pay.funded == 517 and unpaid == 0  # floor(4 x 129.45) = 517 = 388 + 129


def test_batch_interrupted_and_rerun__pays_nobody_twice(sbi_bond, investors):
    p = sbi_bond
    holders = investors[:6]
    p.issue({h: i + 1 for i, h in enumerate(holders)}, klass=QII)
    payment_id = p.declare_and_fund_interest(0)
    p.on_payment_date(0)
    before = p.balances(holders)

    with pytest.raises(
        TransactionError
    ):  # the agent's first attempt runs out of gas: nothing moves
        p.corp.payBatch(payment_id, holders, sender=p.agent, gas=200_000)
    assert p.balances(holders) == before
    p.corp.payBatch(payment_id, holders[:3], sender=p.agent)  # then a batch that stops half-way
    rerun = p.corp.payBatch(payment_id, holders, sender=p.agent)  # and the whole list again

    assert [e.holder for e in rerun.events.filter(p.corp.HolderPaid)] == [
        str(h) for h in holders[3:]
    ]
    assert [x - y for x, y in zip(p.balances(holders), before, strict=True)] == [
        175 * (i + 1) for i in range(6)
    ]
    p.corp.payBatch(
        payment_id, holders + holders, sender=p.agent
    )  # duplicates: still nothing twice
    assert [x - y for x, y in zip(p.balances(holders), before, strict=True)] == [
        175 * (i + 1) for i in range(6)
    ]
    pay, unpaid = reconcile(p, payment_id)
    assert (pay.paid, unpaid) == (175 * 21, 0)


def test_claim__a_holder_the_batch_missed_claims_once(sbi_bond, investors, withholding_of):
    p = sbi_bond
    a, b = investors[:2]
    p.issue({a: 4, b: 1})
    payment_id = p.declare_and_fund_interest(0)
    p.on_payment_date(0)
    p.corp.payBatch(payment_id, [b], sender=p.agent)
    assert p.corp.entitlementOf(payment_id, a) == (
        4,
        700,
        withholding_of(0).tax(700),
        700 - withholding_of(0).tax(700),
    )
    before = p.yen.balanceOf(a)
    p.corp.claim(payment_id, sender=a)
    assert p.yen.balanceOf(a) - before == 700 - 142  # 107 + 35 withheld
    with ape.reverts(p.corp.CorporateNothingToClaim):
        p.corp.claim(payment_id, sender=a)
    reconcile(p, payment_id)


def test_frozen_holder__net_is_held_then_released_once_unfrozen(sbi_bond, investors, outsider):
    p = sbi_bond
    a, b = investors[:2]
    p.issue({a: 2, b: 2}, klass=QII)
    payment_id = p.declare_and_fund_interest(0)
    p.token.setAddressFrozen(a, True, sender=p.admin)  # a seizure on the token
    p.yen.freeze(b, sender=p.admin)  # the yen coin refuses b
    p.on_payment_date(0)
    receipt = p.corp.payBatch(payment_id, [a, b], sender=p.agent)
    assert len(receipt.events.filter(p.corp.HolderPaymentHeld)) == 2
    assert p.corp.entryOf(payment_id, a) == (HELD, 350)
    pay, unpaid = reconcile(p, payment_id)
    assert (pay.held, pay.paid, unpaid) == (700, 0, 0)

    with ape.reverts(p.corp.CorporateHolderFrozen):
        p.corp.releaseHeld(payment_id, a, sender=outsider)
    p.corp.payBatch(payment_id, [a, b], sender=p.agent)  # a rerun does not pay held entries
    assert p.corp.payment(payment_id).held == 700
    p.token.setAddressFrozen(a, False, sender=p.admin)
    p.yen.unfreeze(b, sender=p.admin)
    for holder in (a, b):
        before = p.yen.balanceOf(holder)
        p.corp.releaseHeld(payment_id, holder, sender=outsider)
        assert p.yen.balanceOf(holder) - before == 350
    with ape.reverts(p.corp.CorporateNotHeld):
        p.corp.releaseHeld(payment_id, a, sender=outsider)
    pay, unpaid = reconcile(p, payment_id)
    assert (pay.held, pay.paid, unpaid) == (0, 700, 0)


def test_reclaim_after_deadline__returns_unpaid_and_keeps_held(sbi_bond, investors):
    p = sbi_bond
    a, b, c = investors[:3]
    p.issue({a: 1, b: 2, c: 3}, klass=QII)
    payment_id = p.declare_and_fund_interest(0, deadline_days=10)
    p.token.setAddressFrozen(c, True, sender=p.admin)
    p.on_payment_date(0)
    p.corp.payBatch(payment_id, [a, c], sender=p.agent)  # b never paid, c held
    with ape.reverts(p.corp.CorporateDeadlineNotPassed):
        p.corp.reclaimUnpaid(payment_id, sender=p.agent)
    assert p.corp.unpaidOf(payment_id) == 350

    p.travel(jst_midnight(p.payment_days[0] + timedelta(days=10)) + 1)
    before = p.yen.balanceOf(p.agent)
    receipt = p.corp.reclaimUnpaid(payment_id, sender=p.agent)
    assert p.yen.balanceOf(p.agent) - before == 350 == receipt.return_value
    pay, unpaid = reconcile(p, payment_id)
    assert (pay.status, pay.paid, pay.held, pay.reclaimed, unpaid) == (3, 175, 525, 350, 0)
    assert p.yen.balanceOf(p.corp) == 525  # only the held money stays
    with ape.reverts(p.corp.CorporateWrongStatus):
        p.corp.claim(payment_id, sender=b)
    p.token.setAddressFrozen(c, False, sender=p.admin)
    p.corp.releaseHeld(payment_id, c, sender=c)  # held money survives the close
    assert p.yen.balanceOf(p.corp) == 0


def test_guards__declaration_funding_and_payment_refuse_misuse(sbi_bond, investors, outsider):
    """Checked with eth_call: the same custom errors, without the cost of failed transactions."""
    p = sbi_bond
    a = investors[0]
    p.issue({a: 1})
    deadline = jst_midnight(p.payment_days[1] + timedelta(days=30))
    day0, day1 = p.payment_day(0), p.payment_day(1)
    with ape.reverts(p.corp.CorporateNotTokenAgent):
        p.corp.declareInterest.call(p.token, 0, 0, day0, deadline, sender=outsider)
    with ape.reverts(p.corp.CorporateRecordDateMismatch):
        p.corp.declareInterest.call(p.token, 0, 1, day0, deadline, sender=p.agent)
    with ape.reverts(p.corp.CorporateInvalidCoupon):
        p.corp.declareInterest.call(p.token, 2, 1, day1, deadline, sender=p.agent)
    with ape.reverts(p.corp.CorporatePaymentDateOffSchedule):  # a day after the scheduled day
        p.corp.declareInterest.call(p.token, 0, 0, day0 + 86_400 * 8, deadline, sender=p.agent)
    with ape.reverts(p.corp.CorporateWrongTokenKind):
        p.corp.declareDistribution.call(p.token, 0, 100, deadline - 1, deadline, sender=p.agent)
    payment_id = p.declare_interest(0)
    with ape.reverts(p.corp.CorporateCouponAlreadyDeclared):
        p.corp.declareInterest.call(p.token, 0, 0, day0, deadline, sender=p.agent)
    with ape.reverts(p.token.TokenRecordDateNotPassed):  # the total needs the snapshot
        p.corp.fund.call(payment_id, sender=p.agent)
    with ape.reverts(p.corp.CorporateWrongStatus):
        p.corp.payBatch.call(payment_id, [a], sender=p.agent)
    p.after_record_date(0)
    p.corp.fund(payment_id, sender=p.agent)
    with ape.reverts(p.corp.CorporateNothingToFund):
        p.corp.fund.call(payment_id, sender=p.agent)
    with ape.reverts(p.corp.CorporateBeforePaymentDate):
        p.corp.payBatch.call(payment_id, [a], sender=p.agent)
    p.on_payment_date(0)
    with ape.reverts(p.corp.CorporateNotTokenAgent):
        p.corp.payBatch.call(payment_id, [a], sender=outsider)
