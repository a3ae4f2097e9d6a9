"""How the console writes numbers and times: amounts with thousands separators, every date
and time in Japan Standard Time (the chain keeps unix seconds in UTC)."""

from __future__ import annotations

from datetime import date, datetime

from kabuto.domain import JST, jst_date

KYC_WARNING_DAYS = 30


def number(value: int | None) -> str:
    """12345678 -> "12,345,678" (amounts and units are integers: yen and units)."""
    return "" if value is None else f"{int(value):,}"


def yen(value: int | None) -> str:
    return "" if value is None else f"¥{int(value):,}"


def jst_day(timestamp: int | None) -> str:
    """The JST calendar date of a unix time ("" for none or zero)."""
    return jst_date(int(timestamp)).isoformat() if timestamp else ""


def jst_time(timestamp: int | None) -> str:
    """The JST date and time of a unix time, e.g. "2027-01-15 09:00 JST"."""
    if not timestamp:
        return ""
    return datetime.fromtimestamp(int(timestamp), JST).strftime("%Y-%m-%d %H:%M JST")


def record_day(cutoff: int) -> date:
    """The record date whose end (next day 00:00 JST) is `cutoff` (the chain's record date)."""
    return jst_date(int(cutoff) - 1)


def kyc_state(expiry: int, now: int) -> str:
    """ "past", "soon" (within 30 days) or "ok" for a KYC expiry (unix time) at `now`."""
    if expiry <= now:
        return "past"
    if expiry - now <= KYC_WARNING_DAYS * 86_400:
        return "soon"
    return "ok"


def short(address: str | None, keep: int = 6) -> str:
    """0x1234…abcd for tables (the full address is in the title attribute)."""
    if not address or len(address) <= 2 * keep + 2:
        return address or ""
    return f"{address[: keep + 2]}…{address[-4:]}"
