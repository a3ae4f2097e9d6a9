"""Redemption paid on-chain: at maturity every unit is paid and burned and the bond is marked
redeemed; an early call redeems a pro-rata fraction of each holding, truncated per holder."""

from datetime import timedelta

import ape
import pytest

from kabuto.coupons import add_months, jst_midnight, redeemed_units

QII = 2


@pytest.fixture
def bond(make_bond, today):
    issue = today + timedelta(days=2)
    return make_bond(issue, [add_months(issue, 6), add_months(issue, 12)])


def test_maturity__every_unit_paid_and_burned_and_the_bond_redeemed(bond, investors):
    p = bond
    a, b, c = investors[:3]
    p.issue({a: 3, b: 5, c: 2})  # principal is not taxed, whatever the class
    payment_id = p.declare_redemption()
    p.corp.fund(payment_id, sender=p.agent)
    assert p.corp.payment(payment_id).funded == 10 * 100_000
    with ape.reverts(p.corp.CorporateBeforePaymentDate):
        p.corp.payBatch(payment_id, [a], sender=p.agent)

    p.on_payment_date(1)
    before = p.balances([a, b, c])
    p.corp.payBatch(payment_id, [a, b], sender=p.agent)
    assert not p.token.isRedeemed()
    p.corp.claim(payment_id, sender=c)  # the last holder claims: the supply reaches zero
    assert [x - y for x, y in zip(p.balances([a, b, c]), before, strict=True)] == [
        300_000,
        500_000,
        200_000,
    ]
    assert [p.token.balanceOf(h) for h in (a, b, c)] == [0, 0, 0]
    assert p.token.totalSupply() == 0 and p.token.isRedeemed()
    pay = p.corp.payment(payment_id)
    assert (pay.paid, pay.withheld, pay.units, p.corp.unpaidOf(payment_id)) == (1_000_000, 0, 10, 0)
    with ape.reverts(p.token.TransferRestricted):
        p.token.issue(a, 1, b"", sender=p.agent)


def test_maturity__frozen_holder_is_burned_and_its_money_held(bond, investors, outsider):
    p = bond
    a, b = investors[:2]
    p.issue({a: 1, b: 2}, klass=QII)
    payment_id = p.declare_redemption()
    p.corp.fund(payment_id, sender=p.agent)
    p.token.setAddressFrozen(b, True, sender=p.admin)
    p.on_payment_date(1)
    p.corp.payBatch(payment_id, [a, b], sender=p.agent)
    assert p.token.isRedeemed()
    assert p.corp.entryOf(payment_id, b) == (2, 200_000)
    p.token.setAddressFrozen(b, False, sender=p.admin)
    before = p.yen.balanceOf(b)
    p.corp.releaseHeld(payment_id, b, sender=outsider)
    assert p.yen.balanceOf(b) - before == 200_000


def test_partial_call__pro_rata_units_truncated_per_holder(bond, investors):
    p = bond
    a, b, c = investors[:3]
    holdings = {a: 7, b: 9, c: 1}
    p.issue(holdings)
    call_day = p.payment_days[0] + timedelta(days=10)
    payment_id = p.corp.declareCall(
        p.token,
        1,
        3,
        101_000,
        jst_midnight(call_day),
        jst_midnight(call_day + timedelta(days=30)),
        sender=p.agent,
    ).return_value
    p.corp.fund(payment_id, sender=p.agent)
    assert p.corp.payment(payment_id).funded == (17 // 3) * 101_000  # floor of the total: 5 units
    p.travel(jst_midnight(call_day))
    before = p.balances(list(holdings))
    p.corp.payBatch(payment_id, list(holdings), sender=p.agent)
    p.corp.payBatch(
        payment_id, list(holdings), sender=p.agent
    )  # settled once: the rerun redeems nothing more
    called = [redeemed_units(units, 1, 3) for units in holdings.values()]
    assert called == [2, 3, 0]
    assert [p.token.balanceOf(h) for h in holdings] == [
        u - k for u, k in zip(holdings.values(), called, strict=True)
    ]
    assert [x - y for x, y in zip(p.balances(list(holdings)), before, strict=True)] == [
        k * 101_000 for k in called
    ]
    assert p.token.totalSupply() == 12 and not p.token.isRedeemed()
    assert p.corp.unpaidOf(payment_id) == 0


def test_partial_call__encumbered_units_wait_until_released(bond, investors):
    p = bond
    a = investors[0]
    p.issue({a: 4})
    p.token.freezePartialTokens(a, 3, sender=p.admin)  # only one unit is free; two are called
    call_day = p.payment_days[0] + timedelta(days=10)
    payment_id = p.corp.declareCall(
        p.token,
        1,
        2,
        100_000,
        jst_midnight(call_day),
        jst_midnight(call_day + timedelta(days=30)),
        sender=p.agent,
    ).return_value
    p.corp.fund(payment_id, sender=p.agent)
    p.travel(jst_midnight(call_day))
    p.corp.payBatch(payment_id, [a], sender=p.agent)
    assert p.token.balanceOf(a) == 4 and p.corp.entryOf(payment_id, a) == (0, 0)
    p.token.unfreezePartialTokens(a, 3, sender=p.admin)
    p.corp.payBatch(payment_id, [a], sender=p.agent)
    assert p.token.balanceOf(a) == 2 and p.corp.entryOf(payment_id, a) == (1, 0)
