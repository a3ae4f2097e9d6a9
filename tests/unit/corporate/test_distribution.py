"""Distributions of a beneficiary interest: an amount per unit for a record date, withholding by
investor class, paid on record-date balances; plus payment to a recovered wallet and batch gas."""

from datetime import timedelta

import pytest
from fixtures.platform import investor_id_for

from kabuto.coupons import PerUnit, add_months, holder_payments, jst_midnight

QII = 2
DISTRIBUTION = 23_456  # yen per unit


@pytest.fixture
def fund(make_fund, today):
    record = [add_months(today, 6), add_months(today, 12)]
    return make_fund(record, [d + timedelta(days=30) for d in record])


def declare(p, index=0, amount=DISTRIBUTION):
    payment_day = p.payment_days[index]
    return p.corp.declareDistribution(
        p.token,
        index,
        amount,
        jst_midnight(payment_day),
        jst_midnight(payment_day + timedelta(days=60)),
        sender=p.agent,
    ).return_value


def test_distribution__paid_on_record_date_balances_net_of_tax(fund, investors, withholding_of):
    p = fund
    a, b, c = investors[:3]
    p.issue({a: 2, b: 3})
    p.issue({c: 4}, klass=QII)
    payment_id = declare(p)
    p.after_record_date(0)
    p.token.transfer(c, 3, sender=b)  # ex-distribution: b keeps the entitlement
    p.corp.fund(payment_id, sender=p.agent)
    assert p.corp.payment(payment_id).funded == 9 * DISTRIBUTION
    p.on_payment_date(0)
    holders = [a, b, c]
    before = p.balances(holders + [p.tax_office])
    p.corp.payBatch(payment_id, holders, sender=p.agent)
    expected = holder_payments(
        {str(a): 2, str(b): 3, str(c): 4},
        PerUnit(DISTRIBUTION, 1),
        {str(a): withholding_of(0), str(b): withholding_of(0)},
    )
    deltas = [x - y for x, y in zip(p.balances(holders + [p.tax_office]), before, strict=True)]
    assert deltas == [line.net for line in expected] + [sum(line.tax for line in expected)]
    assert deltas[1] == 70_368 - (10_776 + 3_518)  # 3 units: 15.315% and 5% truncated apart
    pay = p.corp.payment(payment_id)
    assert pay.funded == pay.paid + pay.withheld and p.corp.unpaidOf(payment_id) == 0


def test_recovered_wallet__lost_wallet_entitlement_paid_to_the_new_wallet(
    fund, investors, accounts
):
    p = fund
    lost, other = investors[:2]
    p.issue({lost: 5, other: 1}, klass=QII)
    payment_id = declare(p)
    p.after_record_date(0)
    new_wallet = accounts.generate_test_account()
    p.registry.replaceWallet(investor_id_for(lost), new_wallet, sender=p.admin)
    p.token.recoveryAddress(lost, new_wallet, sender=p.agent)
    p.corp.fund(payment_id, sender=p.agent)
    p.on_payment_date(0)
    p.corp.payToRecoveredWallet(payment_id, lost, new_wallet, sender=p.agent)
    assert p.yen.balanceOf(new_wallet) == 5 * DISTRIBUTION
    p.corp.payBatch(payment_id, [lost, new_wallet, other], sender=p.agent)  # nobody paid twice
    assert p.yen.balanceOf(new_wallet) == 5 * DISTRIBUTION and p.yen.balanceOf(lost) == 0


def test_gas__per_holder_paid_in_a_batch(fund, accounts):
    p = fund
    holders = [accounts.generate_test_account() for _ in range(11)]
    for holder in holders:  # general investors: withholding applies
        p.onboard(holder)
    p.token.batchIssue(holders, [1] * len(holders), b"", sender=p.agent)
    payment_id = declare(p)
    p.after_record_date(0)
    p.corp.fund(payment_id, sender=p.agent)
    p.on_payment_date(0)
    one = p.corp.payBatch(payment_id, holders[:1], sender=p.agent).gas_used
    ten = p.corp.payBatch(payment_id, holders[1:], sender=p.agent).gas_used
    per_holder = (ten - one) / 9
    print(
        f"\npayBatch: 1 holder {one} gas, 10 holders {ten} gas, {per_holder:.0f} gas per extra holder"
    )
    assert per_holder < 100_000
