"""Corporate-action amounts: coupons, distributions, redemptions and withholding tax.

Pure functions, no chain access: the operator tooling uses them to preview a payment and the
tests use them as the reference the on-chain CorporateActions contract must match to the yen.
Conventions (docs/corporate-actions.md):

- Dates are Japan Standard Time calendar days (UTC+9, no daylight saving). A period from
  ``start`` to ``end`` has ``end - start`` days (interest accrues on one end, as Japanese bond
  prospectuses count it).
- Coupon per unit = face value x annual rate x period fraction. Under ``REGULAR_PERIODS_EQUAL``
  a regular period (exactly 12 / coupons-per-year months) pays ``rate / couponsPerYear``; an
  odd (short or long) period uses Actual/365 (Fixed). ``ACTUAL_365_FIXED`` uses days / 365 for
  every period.
- Periods run between the scheduled (unadjusted) dates of the terms. A payment day that is a
  bank holiday moves by the bond's business-day convention (Japanese default: the preceding
  business day) and the amount does not change, unless the terms adjust the amounts: then the
  days run between the actual payment days (kabuto.business_days).
- The per-unit amount stays an exact fraction; each holder's gross is truncated to the yen once
  (units x numerator // denominator), never per unit.
- Withholding tax per tax status (not investor class): national and local parts, each
  truncated to the yen (fractions of a yen of a tax amount are dropped), on the holder's whole
  gross for the payment, withheld from the gross; the holder gets the net.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import IntEnum

from kabuto.business_days import adjust
from kabuto.onchain_types import BusinessDayConvention, TaxStatus

JST = timezone(timedelta(hours=9), "JST")
RATE_SCALE = 1_000_000  # rates are given in millionths: 0.35% = 3_500, 20.315% = 203_150
DAYS_PER_YEAR = 365


class CouponError(ValueError):
    """Bond terms or a payment request that cannot give a well-defined amount."""


class DayCount(IntEnum):
    """Day-count convention of a bond; the values match ICorporateActions.DayCount."""

    REGULAR_PERIODS_EQUAL = 0
    ACTUAL_365_FIXED = 1


@dataclass(frozen=True)
class PerUnit:
    """An exact amount in yen per unit: ``numerator / denominator`` (never rounded)."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.denominator <= 0 or self.numerator < 0:
            raise CouponError(
                f"per-unit amount {self.numerator}/{self.denominator} must be >= 0 over > 0"
            )

    def gross(self, units: int) -> int:
        """Gross yen for ``units``, truncated once for the whole holding."""
        return units * self.numerator // self.denominator


@dataclass(frozen=True)
class Coupon:
    """One coupon of a bond: its period and the exact amount per unit."""

    index: int
    start: date
    end: date
    days: int
    regular: bool
    per_unit: PerUnit


@dataclass(frozen=True)
class BondTerms:
    """The bond terms the token stores (ISecurityToken.BondTerms), dates as unix seconds."""

    face_value: int
    coupon_rate: int  # annual, millionths
    coupons_per_year: int
    issue_date: int
    maturity_date: int
    redemption_value: int
    interest_payment_dates: tuple[int, ...]  # scheduled (unadjusted), as the terms state them
    day_count: DayCount = DayCount.REGULAR_PERIODS_EQUAL
    business_day_convention: BusinessDayConvention = BusinessDayConvention.PRECEDING
    amount_adjusted: bool = False  # amounts follow the moved payment days (rare in Japan)

    def __post_init__(self) -> None:
        if self.coupons_per_year not in (1, 2, 3, 4, 6, 12):
            raise CouponError(f"coupons per year must divide 12, got {self.coupons_per_year}")
        if self.face_value <= 0:
            raise CouponError("face value must be positive")
        previous = self.issue_date
        for i, when in enumerate(self.interest_payment_dates):
            if jst_day(when) <= jst_day(previous):
                raise CouponError(f"interest payment date {i} is not after the previous date")
            previous = when


@dataclass(frozen=True)
class Withholding:
    """Withholding rates of one investor class, in millionths (individuals: 153_150 + 50_000)."""

    national: int = 0
    local: int = 0

    def __post_init__(self) -> None:
        if not (
            0 <= self.national and 0 <= self.local and self.national + self.local <= RATE_SCALE
        ):
            raise CouponError(
                f"withholding rates {self.national} + {self.local} must be within 0..{RATE_SCALE}"
            )

    def components(self, gross: int) -> tuple[int, int]:
        """(national, local) tax on ``gross``, each truncated to the yen."""
        return gross * self.national // RATE_SCALE, gross * self.local // RATE_SCALE

    def tax(self, gross: int) -> int:
        """Tax on ``gross``: each part truncated to the yen."""
        return sum(self.components(gross))


NO_TAX = Withholding()
NATIONAL_RATE = 153_150  # 15.315% income tax, reconstruction surtax included
LOCAL_RATE = 50_000  # 5% inhabitant tax (individuals only)
INDIVIDUAL = Withholding(national=NATIONAL_RATE, local=LOCAL_RATE)
CORPORATION = Withholding(national=NATIONAL_RATE)
# The platform's schedule (what `ape run deploy` sets), in IInvestorRegistry.TaxStatus order.
# A status not yet declared is withheld at the highest rate until the registrar records it.
WITHHOLDING_BY_STATUS: dict[TaxStatus, Withholding] = {
    TaxStatus.UNDECLARED: INDIVIDUAL,
    TaxStatus.RESIDENT_INDIVIDUAL: INDIVIDUAL,
    TaxStatus.DOMESTIC_CORPORATION: CORPORATION,
    TaxStatus.NON_RESIDENT: CORPORATION,  # 15.315% or the treaty rate; never local tax
    TaxStatus.EXEMPT: NO_TAX,
}


def withholding_for(status: TaxStatus, treaty_rate: int | None = None) -> Withholding:
    """The platform schedule's rates for ``status``; a non-resident's treaty rate (millionths)
    replaces the national rate."""
    rates = WITHHOLDING_BY_STATUS[status]
    if status == TaxStatus.NON_RESIDENT and treaty_rate is not None:
        return Withholding(national=treaty_rate)
    return rates


@dataclass(frozen=True)
class HolderPayment:
    holder: str
    units: int
    gross: int
    national_tax: int
    local_tax: int = 0

    @property
    def tax(self) -> int:
        return self.national_tax + self.local_tax

    @property
    def net(self) -> int:
        return self.gross - self.tax


def jst_day(timestamp: int) -> date:
    """The JST calendar day of a unix timestamp."""
    return datetime.fromtimestamp(timestamp, JST).date()


def jst_midnight(day: date) -> int:
    """The unix timestamp of 00:00 JST on ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=JST).timestamp())


def end_of_jst_day(day: date) -> int:
    """The last second of JST day ``day``: a record date's timestamp (balances at the end of
    that day are the holdings of record)."""
    return jst_midnight(day + timedelta(days=1)) - 1


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_regular_period(start: date, end: date, coupons_per_year: int) -> bool:
    """True when ``start`` to ``end`` is exactly one coupon period (in either direction, so
    month-end schedules such as 31 Aug / 28 Feb count as regular)."""
    months = 12 // coupons_per_year
    return add_months(start, months) == end or add_months(end, -months) == start


def payment_day(terms: BondTerms, index: int) -> date:
    """The day coupon ``index`` is paid: its scheduled day moved by the bond's convention."""
    return adjust(jst_day(terms.interest_payment_dates[index]), terms.business_day_convention)


def maturity_payment_day(terms: BondTerms) -> date:
    """The day the principal is repaid: the maturity date moved by the bond's convention."""
    return adjust(jst_day(terms.maturity_date), terms.business_day_convention)


def coupon(terms: BondTerms, index: int) -> Coupon:
    """Coupon ``index`` (0-based) of ``terms``: period, day count and exact amount per unit."""
    if not 0 <= index < len(terms.interest_payment_dates):
        raise CouponError(
            f"coupon {index} does not exist: the bond has {len(terms.interest_payment_dates)}"
        )
    start = jst_day(terms.issue_date if index == 0 else terms.interest_payment_dates[index - 1])
    end = jst_day(terms.interest_payment_dates[index])
    regular = is_regular_period(start, end, terms.coupons_per_year)
    if terms.amount_adjusted:
        start = jst_day(terms.issue_date) if index == 0 else payment_day(terms, index - 1)
        end = payment_day(terms, index)
    days = (end - start).days
    base = terms.face_value * terms.coupon_rate
    if regular and terms.day_count == DayCount.REGULAR_PERIODS_EQUAL:
        per_unit = PerUnit(base, RATE_SCALE * terms.coupons_per_year)
    else:
        per_unit = PerUnit(base * days, RATE_SCALE * DAYS_PER_YEAR)
    return Coupon(index, start, end, days, regular, per_unit)


def redeemed_units(balance: int, call_numerator: int, call_denominator: int) -> int:
    """Units of a holding called in a (partial) redemption: pro rata, truncated per holder."""
    if not 0 < call_numerator <= call_denominator:
        raise CouponError(f"called fraction {call_numerator}/{call_denominator} must be in (0, 1]")
    return balance * call_numerator // call_denominator


def required_funding(total_units: int, per_unit: PerUnit) -> int:
    """What the paying agent must fund: the truncated total, which is never less than the sum
    of the per-holder truncated amounts (the difference is the rounding residue, returnable)."""
    return per_unit.gross(total_units)


def holder_payments(
    balances: Mapping[str, int] | Iterable[tuple[str, int]],
    per_unit: PerUnit,
    withholding: Mapping[str, Withholding] | None = None,
) -> list[HolderPayment]:
    """Each holder's gross, tax and net for its record-date ``balances`` (zero holdings and
    zero amounts are left out: they are not paid)."""
    items = balances.items() if isinstance(balances, Mapping) else balances
    rates = withholding or {}
    out: list[HolderPayment] = []
    for holder, units in items:
        gross = per_unit.gross(units)
        if gross == 0:
            continue
        national, local = rates.get(holder, NO_TAX).components(gross)
        out.append(HolderPayment(holder, units, gross, national, local))
    return out
