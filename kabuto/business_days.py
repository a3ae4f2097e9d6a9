"""Japanese bank business days, and a scheduled payment day moved by a business-day convention.

A bank holiday (銀行休業日) is a Saturday, a Sunday, a national holiday (the Act on National
Holidays, computed by ``jpholiday``, substitute holidays included) or one of the year-end days
banks close (31 December to 3 January). Bond terms fix each payment day on the calendar and
move it, when it is a bank holiday, to the preceding business day (前銀行営業日, the Japanese
default) or the following one; the amount follows the unadjusted schedule unless the terms say
otherwise (see kabuto.coupons).
"""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday

from kabuto.onchain_types import BusinessDayConvention

YEAR_END_CLOSURES = frozenset({(12, 31), (1, 1), (1, 2), (1, 3)})
MAX_SHIFT_DAYS = 7  # the contract refuses a payment day moved further (CorporateActions)


def is_bank_holiday(day: date) -> bool:
    return (
        day.weekday() >= 5
        or (day.month, day.day) in YEAR_END_CLOSURES
        or bool(jpholiday.is_holiday(day))
    )


def _step(day: date, direction: int) -> date:
    while is_bank_holiday(day):
        day += timedelta(days=direction)
    return day


def adjust(day: date, convention: BusinessDayConvention) -> date:
    """The day a payment scheduled on `day` is made under `convention`."""
    if convention == BusinessDayConvention.UNADJUSTED:
        return day
    if convention == BusinessDayConvention.PRECEDING:
        return _step(day, -1)
    following = _step(day, 1)
    if convention == BusinessDayConvention.MODIFIED_FOLLOWING and following.month != day.month:
        return _step(day, -1)
    return following
