"""Field checks shared by every input file, with messages that say how to fix the value."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from eth_utils import to_checksum_address

from kabuto.onchain_types import InvestorClass, LabelledEnum, TaxStatus

E = TypeVar("E", bound=LabelledEnum)
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
ZERO_ADDRESS = "0x" + "0" * 40


def suggest(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'X'?)' for the closest choice, or ''."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""


def checksum_address(value: str) -> str:
    """`value` if it is a valid EIP-55 checksummed address; ValueError explaining otherwise."""
    text = value.strip()
    if not _HEX_ADDRESS.match(text):
        raise ValueError(f"{text!r} is not an address: write 0x followed by 40 hex digits")
    if text.lower() == ZERO_ADDRESS:
        raise ValueError("the zero address cannot be used")
    checksummed = to_checksum_address(text)
    if text == checksummed:
        return text
    if text[2:] == text[2:].lower() or text[2:] == text[2:].upper():
        raise ValueError(
            f"{text} has no checksum (all one case); write it in EIP-55 mixed case, "
            f"{checksummed}, after checking it against the source, so that a typo is caught"
        )
    raise ValueError(
        f"{text} fails its EIP-55 checksum: a character is wrong or was altered. Copy the "
        "address again from its source (do not just fix the letter case)"
    )


def parse_enum(value: object, enum: type[E], aliases: Mapping[str, E] | None = None) -> E:
    """An enum member from its label (case-insensitive) or an alias; ValueError with a hint."""
    if isinstance(value, enum):
        return value
    text = str(value).strip()
    alias = {k.lower(): v for k, v in (aliases or {}).items()}.get(text.lower())
    if alias is not None:
        return alias
    try:
        return enum.from_label(text)
    except ValueError:
        pass
    allowed = ", ".join(m.label for m in enum)
    hint = suggest(text, [m.label for m in enum] + list(aliases or {}))
    raise ValueError(f"unknown value {text!r}{hint} (allowed: {allowed})")


CLASS_ALIASES: dict[str, InvestorClass] = {"QII": InvestorClass.QUALIFIED_INSTITUTIONAL}
TAX_STATUS_ALIASES: dict[str, TaxStatus] = {
    "Individual": TaxStatus.RESIDENT_INDIVIDUAL,
    "Corporation": TaxStatus.DOMESTIC_CORPORATION,
}


def parse_tax_status(value: object) -> TaxStatus:
    """A declared tax status (Undeclared is what the registry shows until one is recorded, not
    something a registrar may file)."""
    status = parse_enum(value, TaxStatus, TAX_STATUS_ALIASES)
    if status == TaxStatus.UNDECLARED:
        declared = ", ".join(m.label for m in TaxStatus if m != TaxStatus.UNDECLARED)
        raise ValueError(f"declare the investor's tax status: one of {declared}")
    return status


def parse_investor_class(value: object) -> InvestorClass:
    return parse_enum(value, InvestorClass, CLASS_ALIASES)


# A few ISO 3166-1 codes people type instead of the numeric one, to say what they meant.
ALPHA_TO_NUMERIC = {
    "JP": 392,
    "JPN": 392,
    "US": 840,
    "USA": 840,
    "GB": 826,
    "SG": 702,
    "HK": 344,
    "KR": 410,
    "CN": 156,
    "TW": 158,
    "DE": 276,
    "FR": 250,
    "AU": 36,
    "CH": 756,
    "LU": 442,
    "KY": 136,
}


def parse_country(value: object) -> int:
    """ISO 3166-1 numeric country code (392 = Japan)."""
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= 999:
        return int(text)
    known = ALPHA_TO_NUMERIC.get(text.upper())
    hint = f"; for {text.upper()} write {known}" if known else ""
    raise ValueError(
        f"{text!r} is not an ISO 3166-1 numeric country code (1-999, e.g. 392 for Japan){hint}"
    )
