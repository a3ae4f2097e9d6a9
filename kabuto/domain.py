"""Encodings of the contracts' values (investor ids, coupon rates), and dates in JST.

The enums InvestorClass, Category and Kind, class_mask and PROFESSIONAL_CLASSES live in
kabuto.onchain_types (the enums are re-exported here); an enum's `label` is the spelling input
files use.

Dates in input files are calendar dates in Japan; the chain keeps unix seconds. A date means
the whole day in Japan Standard Time (UTC+9, no daylight saving): a KYC expiry or a record
date "2026-09-30" is the instant the day ends, 2026-10-01 00:00 JST.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

# Re-exported (`X as X`): scripts and kabuto/bench import the enums from here.
from kabuto.onchain_types import Category as Category
from kabuto.onchain_types import InvestorClass as InvestorClass
from kabuto.onchain_types import Kind as Kind

JST = timezone(timedelta(hours=9), "JST")
UINT40_MAX = 2**40 - 1
UINT64_MAX = 2**64 - 1
UINT32_MAX = 2**32 - 1
UINT256_MAX = 2**256 - 1
INVESTOR_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def investor_id_to_bytes32(investor_id: str) -> bytes:
    """The on-chain investor id: the ASCII id, right-padded with zero bytes (like Solidity's
    ``bytes32("ID")``), so the register can show it back."""
    if not INVESTOR_ID_PATTERN.match(investor_id):
        raise ValueError(
            f"investor id {investor_id!r} must be 1-32 ASCII letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return investor_id.encode("ascii").ljust(32, b"\0")


def investor_id_from_bytes32(raw: bytes) -> str:
    return raw.rstrip(b"\0").decode("ascii")


def end_of_day_jst(day: date) -> int:
    """Unix time when `day` ends in Japan (next day 00:00 JST)."""
    return int(datetime.combine(day + timedelta(days=1), time(0), JST).timestamp())


def start_of_day_jst(day: date) -> int:
    return int(datetime.combine(day, time(0), JST).timestamp())


def jst_date(timestamp: int) -> date:
    """The calendar date in Japan of a block timestamp."""
    return datetime.fromtimestamp(timestamp, JST).date()


def coupon_rate_millionths(percent_text: str) -> int:
    """BondTerms.couponRate from a percentage: "0.35" -> 3500. Exact or ValueError."""
    from decimal import Decimal, InvalidOperation

    try:
        scaled = Decimal(percent_text) * 10_000
    except InvalidOperation as exc:
        raise ValueError(f"{percent_text!r} is not a number") from exc
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{percent_text}% has more than 4 decimal places (the chain keeps the "
            "rate in millionths: 0.0001% steps)"
        )
    return int(scaled)
