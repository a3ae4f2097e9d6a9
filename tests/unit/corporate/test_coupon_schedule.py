"""Coupons and redemptions as the market computes them (issue 14, points 9 and 10), checked
against amounts computed HERE from the term sheets and the tax rules, not by kabuto.coupons:

- each regular half-year pays a fixed share of the annual coupon; only a short or long first
  or last period is prorated, by days / 365; a payment day that is a bank holiday moves to the
  preceding business day and the amount does not change (STBOND1's second coupon, scheduled on
  Saturday 2028-01-15, is paid on Friday 2028-01-14: 175 yen a bond, not 175.479);
- withholding follows each holder's tax status: resident individual 15.315% + 5%, domestic
  corporation 15.315%, non-resident 15.315% or the treaty rate the paying agent set, exempt 0,
  undeclared at the highest rate; each component truncated to the yen on the holder's gross.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import ape
import pytest
import yaml

from kabuto.business_days import adjust
from kabuto.coupons import end_of_jst_day, jst_midnight
from kabuto.onchain_types import BusinessDayConvention, TaxStatus

FACE = 100_000
RATE = Fraction(35, 10_000)  # 0.35% a year
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TREATY = 100_000  # 10%, in millionths


@dataclass(frozen=True)
class Holder:
    status: TaxStatus
    units: int
    treaty: bool = False


# One holder of each status (and a non-resident with a treaty rate), different holdings.
HOLDERS = (
    Holder(TaxStatus.RESIDENT_INDIVIDUAL, 7),
    Holder(TaxStatus.DOMESTIC_CORPORATION, 5),
    Holder(TaxStatus.NON_RESIDENT, 3),
    Holder(TaxStatus.NON_RESIDENT, 2, treaty=True),
    Holder(TaxStatus.EXEMPT, 11),
    Holder(TaxStatus.UNDECLARED, 1),
)


def expected_tax(holder: Holder, gross: int) -> tuple[int, int]:
    """(national, local) by the rules of shared/docs: truncated to the yen, per component."""
    if holder.status == TaxStatus.EXEMPT:
        return 0, 0
    if holder.treaty:
        return gross * 10 // 100, 0
    national = gross * 15315 // 100_000
    local = (
        gross * 5 // 100
        if holder.status in (TaxStatus.RESIDENT_INDIVIDUAL, TaxStatus.UNDECLARED)
        else 0
    )
    return national, local


def per_unit(start: date, end: date, regular: bool) -> Fraction:
    return FACE * RATE / 2 if regular else FACE * RATE * (end - start).days / 365


def run_coupon(p, wallets, index, pay_day: date, unit_amount: Fraction):
    """Declares coupon `index` payable on `pay_day`, pays every holder, and checks each one's
    yen, event and tax against the independent computation."""
    deadline = jst_midnight(pay_day + timedelta(days=30))
    payment_id = p.corp.declareInterest(
        p.token, index, index, jst_midnight(pay_day), deadline, sender=p.agent
    ).return_value
    p.travel(end_of_jst_day(p.record_days[index]) + 1)
    p.corp.fund(payment_id, sender=p.agent)
    with ape.reverts(p.corp.CorporateBeforePaymentDate):
        p.corp.payBatch.call(payment_id, wallets, sender=p.agent)
    p.travel(jst_midnight(pay_day))
    before = p.balances(wallets + [p.tax_office])
    receipt = p.corp.payBatch(payment_id, wallets, sender=p.agent)
    events = {e.holder: list(e.amounts) for e in receipt.events.filter(p.corp.HolderPaid)}
    taxes = 0
    for wallet, holder in zip(wallets, HOLDERS, strict=True):
        gross = int(holder.units * unit_amount)  # truncated once per holder
        national, local = expected_tax(holder, gross)
        taxes += national + local
        assert p.yen.balanceOf(wallet) - before[wallets.index(wallet)] == gross - national - local
        assert events[wallet.address][2:] == [
            holder.units,
            gross,
            national,
            local,
            gross - national - local,
        ]
        assert events[wallet.address][1] == holder.status
    assert p.yen.balanceOf(p.tax_office) - before[-1] == taxes
    return payment_id


def setup_holders(p, investors):
    wallets = list(investors[: len(HOLDERS)])
    for wallet, holder in zip(wallets, HOLDERS, strict=True):
        p.issue({wallet: holder.units}, status=holder.status)
        if holder.treaty:
            investor_id = p.registry.investorIdOf(wallet)
            p.corp.setTreatyRate(p.token, investor_id, TREATY, True, sender=p.agent)
    return wallets


def example_bond(name: str) -> dict:
    """The `bond:` section of an example term sheet, read as plain YAML (not by kabuto.inputs),
    after checking it is the 100,000 yen, 0.35%, half-yearly bond the amounts here assume."""
    bond = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))["bond"]
    assert (bond["face_value"], bond["redemption_value"], bond["coupons_per_year"]) == (
        FACE,
        FACE,
        2,
    )
    assert Fraction(str(bond["coupon_rate_percent"])) / 100 == RATE
    assert (bond["business_day_convention"], bond["amount_adjusted"]) == ("preceding", False)
    return bond


def test_stbond1__both_coupons_and_redemption__per_holder_per_tax_status(make_bond, investors):
    """examples/stbond1.yaml: issued 2027-01-15, coupons scheduled 2027-07-15 and 2028-01-15
    (a Saturday), maturity 2028-01-15, record dates 2027-06-30 and 2027-12-31."""
    bond = example_bond("stbond1.yaml")
    assert bond["issue_date"] == date(2027, 1, 15) and bond["maturity_date"] == date(2028, 1, 15)
    assert bond["interest_payment_dates"] == [date(2027, 7, 15), date(2028, 1, 15)]
    assert bond["interest_record_dates"] == [date(2027, 6, 30), date(2027, 12, 31)]
    p = make_bond(
        date(2027, 1, 15),
        [date(2027, 7, 15), date(2028, 1, 15)],
        record_days=[date(2027, 6, 30), date(2027, 12, 31)],
    )
    wallets = setup_holders(p, investors)
    run_coupon(
        p, wallets, 0, date(2027, 7, 15), per_unit(date(2027, 1, 15), date(2027, 7, 15), True)
    )
    # 2028-01-15 is a Saturday: paid on Friday the 14th, still a regular half-year (175 yen).
    with ape.reverts(p.corp.CorporatePaymentDateOffSchedule):  # the Saturday itself
        p.corp.declareInterest.call(
            p.token,
            1,
            1,
            jst_midnight(date(2028, 1, 15)),
            jst_midnight(date(2028, 3, 1)),
            sender=p.agent,
        )
    second = per_unit(date(2027, 7, 15), date(2028, 1, 15), True)
    assert second == 175
    run_coupon(p, wallets, 1, date(2028, 1, 14), second)

    deadline = jst_midnight(date(2028, 3, 1))
    payment_id = p.corp.declareMaturityRedemption(
        p.token, jst_midnight(date(2028, 1, 14)), deadline, sender=p.agent
    ).return_value
    p.corp.fund(payment_id, sender=p.agent)
    before = p.balances(wallets + [p.tax_office])
    p.corp.payBatch(payment_id, wallets, sender=p.agent)
    after = p.balances(wallets + [p.tax_office])
    assert [a - b for a, b in zip(after, before, strict=True)] == [
        h.units * FACE for h in HOLDERS
    ] + [0]
    assert p.token.totalSupply() == 0 and p.token.isRedeemed()


LONG_SCHEDULE = (  # scheduled day, the day it is paid (preceding business day)
    (date(2027, 7, 3), date(2027, 7, 2)),  # a Saturday
    (date(2028, 1, 3), date(2027, 12, 30)),  # a year-end bank holiday (31 Dec - 3 Jan closed)
    (date(2028, 7, 3), date(2028, 7, 3)),  # a Monday
    (date(2029, 1, 3), date(2028, 12, 29)),  # year-end holiday, then a weekend before it
)


def test_two_year_bond__short_first_period__weekend_and_year_end_payment_days(make_bond, investors):
    issue = date(2027, 2, 15)  # first period 138 days: short, prorated by days / 365
    scheduled = [s for s, _ in LONG_SCHEDULE]
    p = make_bond(issue, scheduled, record_lag=10)
    wallets = setup_holders(p, investors)
    for scheduled_day, paid_day in LONG_SCHEDULE:  # the tooling's calendar agrees
        assert adjust(scheduled_day, BusinessDayConvention.PRECEDING) == paid_day
    start = issue
    for index, (scheduled_day, paid_day) in enumerate(LONG_SCHEDULE):
        regular = index > 0
        amount = per_unit(start, scheduled_day, regular)
        if index == 0:
            assert (scheduled_day - start).days == 138 and amount == Fraction(350 * 138, 365)
        run_coupon(p, wallets, index, paid_day, amount)
        start = scheduled_day
    payment_id = p.corp.declareMaturityRedemption(
        p.token, jst_midnight(date(2028, 12, 29)), jst_midnight(date(2029, 3, 1)), sender=p.agent
    ).return_value
    p.corp.fund(payment_id, sender=p.agent)
    before = p.balances(wallets)
    p.corp.payBatch(payment_id, wallets, sender=p.agent)
    assert [a - b for a, b in zip(p.balances(wallets), before, strict=True)] == [
        h.units * FACE for h in HOLDERS
    ]


# examples/stbond2.yaml: scheduled day -> the day it is paid (the preceding business day).
STBOND2_PAID = (
    (date(2027, 12, 31), date(2027, 12, 30)),  # a year-end bank holiday (a Friday)
    (date(2028, 6, 30), date(2028, 6, 30)),  # a Friday: paid on the day
    (date(2028, 12, 31), date(2028, 12, 29)),  # a Sunday, after a year-end Saturday
    (date(2029, 6, 30), date(2029, 6, 29)),  # a Saturday; also the maturity
)


def test_stbond2_example__every_coupon_and_the_redemption__per_holder_per_tax_status(
    make_bond, investors
):
    """The longer example bond: a short first period (2027-09-15 .. 2027-12-31, 107 days,
    prorated by days / 365), three regular half-years of 175 yen a bond, payment days on a
    year-end holiday and on weekends; each holder of each tax status paid exactly, then redeemed."""
    bond = example_bond("stbond2.yaml")
    issue, scheduled = bond["issue_date"], bond["interest_payment_dates"]
    assert scheduled == [s for s, _ in STBOND2_PAID] and bond["maturity_date"] == scheduled[-1]
    for scheduled_day, paid_day in STBOND2_PAID:  # the tooling's calendar agrees
        assert adjust(scheduled_day, BusinessDayConvention.PRECEDING) == paid_day
    p = make_bond(issue, scheduled, record_days=bond["interest_record_dates"])
    wallets = setup_holders(p, investors)
    start = issue
    for index, (scheduled_day, paid_day) in enumerate(STBOND2_PAID):
        amount = per_unit(start, scheduled_day, regular=index > 0)
        if index == 0:
            assert (scheduled_day - start).days == 107 and amount == Fraction(350 * 107, 365)
        else:
            assert amount == 175
        run_coupon(p, wallets, index, paid_day, amount)
        start = scheduled_day
    maturity_paid = STBOND2_PAID[-1][1]
    payment_id = p.corp.declareMaturityRedemption(
        p.token,
        jst_midnight(maturity_paid),
        jst_midnight(maturity_paid + timedelta(days=30)),
        sender=p.agent,
    ).return_value
    p.corp.fund(payment_id, sender=p.agent)
    before = p.balances(wallets + [p.tax_office])
    p.corp.payBatch(payment_id, wallets, sender=p.agent)
    assert [a - b for a, b in zip(p.balances(wallets + [p.tax_office]), before, strict=True)] == [
        h.units * FACE for h in HOLDERS
    ] + [0]
    assert p.token.totalSupply() == 0


def test_amount_adjusted_terms__days_run_between_the_actual_payment_days(make_bond, investors):
    """A term sheet that adjusts the amounts (Actual/365 on the moved days): the second period
    runs from 2027-07-02 to 2027-12-30, 181 days, not the scheduled 184."""
    issue = date(2027, 2, 15)
    p = make_bond(issue, [s for s, _ in LONG_SCHEDULE], record_lag=10)
    p.corp.setDayCount(p.token, 1, sender=p.agent)  # Actual365Fixed
    p.corp.setPaymentConvention(p.token, int(BusinessDayConvention.PRECEDING), True, sender=p.agent)
    wallets = setup_holders(p, investors)
    deadline = jst_midnight(date(2028, 3, 1))
    with ape.reverts(p.corp.CorporateCouponOutOfOrder):  # the previous payment day is needed
        p.corp.declareInterest.call(
            p.token, 1, 1, jst_midnight(date(2027, 12, 30)), deadline, sender=p.agent
        )
    run_coupon(p, wallets, 0, date(2027, 7, 2), FACE * RATE * 137 / 365)
    assert (date(2027, 12, 30) - date(2027, 7, 2)).days == 181
    run_coupon(p, wallets, 1, date(2027, 12, 30), FACE * RATE * 181 / 365)


def test_payment_day__convention_bounds(make_bond, investors):
    p = make_bond(date(2027, 2, 15), [s for s, _ in LONG_SCHEDULE], record_lag=10)
    deadline = jst_midnight(date(2028, 3, 1))

    def declare(day, index=0):
        return p.corp.declareInterest.call(
            p.token, index, index, jst_midnight(day), deadline, sender=p.agent
        )

    for wrong in (date(2027, 7, 3), date(2027, 7, 5), date(2027, 6, 25)):  # Sat, after, 8 days
        with ape.reverts(p.corp.CorporatePaymentDateOffSchedule):
            declare(wrong)
    declare(date(2027, 7, 2))
    p.corp.setPaymentConvention(
        p.token, int(BusinessDayConvention.FOLLOWING), False, sender=p.agent
    )
    with ape.reverts(p.corp.CorporatePaymentDateOffSchedule):
        declare(date(2027, 7, 2))
    declare(date(2027, 7, 5))  # the Monday after
    p.corp.setPaymentConvention(
        p.token, int(BusinessDayConvention.UNADJUSTED), False, sender=p.agent
    )
    declare(date(2027, 7, 3))  # paid on the scheduled day itself
    with ape.reverts(p.corp.CorporateNotTokenAgent):
        p.corp.setPaymentConvention(p.token, 0, False, sender=investors[0])


def test_treaty_rate__paying_agent_sets_it_for_non_residents_only(make_bond, investors):
    p = make_bond(date(2027, 1, 15), [date(2027, 7, 15)])
    resident, foreign = investors[:2]
    p.issue({resident: 1}, status=TaxStatus.RESIDENT_INDIVIDUAL)
    p.issue({foreign: 1}, status=TaxStatus.NON_RESIDENT)
    resident_id, foreign_id = (p.registry.investorIdOf(w) for w in (resident, foreign))
    with ape.reverts(p.corp.CorporateNotNonResident):
        p.corp.setTreatyRate(p.token, resident_id, TREATY, True, sender=p.agent)
    with ape.reverts(p.corp.CorporateNotTokenAgent):
        p.corp.setTreatyRate(p.token, foreign_id, 0, True, sender=foreign)
    receipt = p.corp.setTreatyRate(p.token, foreign_id, 0, True, sender=p.agent)  # 0%: exempt
    event = receipt.events.filter(p.corp.TreatyRateSet)[0]
    assert (event.investorId, event.nationalRate, event.applies) == (foreign_id, 0, True)
    assert tuple(p.corp.treatyRateOf(p.token, foreign_id)) == (True, 0)
    payment_id = p.declare_and_fund_interest(0)
    p.on_payment_date(0)
    assert p.corp.entitlementOf(payment_id, foreign)[2] == 0
    p.corp.setTreatyRate(p.token, foreign_id, 0, False, sender=p.agent)
    assert p.corp.entitlementOf(payment_id, foreign)[2] == 175 * 15315 // 100_000


@pytest.mark.parametrize("status", list(TaxStatus))
def test_withholding_schedule__one_entry_per_tax_status(make_bond, status):
    p = make_bond(date(2027, 1, 15), [date(2027, 7, 15)])
    rates = p.corp.withholding(p.corp.currentTaxSchedule(), int(status))
    national, local = expected_tax(Holder(status, 1), 1_000_000)
    assert (rates.nationalRate, rates.localRate) == (national, local)
