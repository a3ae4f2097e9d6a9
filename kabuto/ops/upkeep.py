"""Investor upkeep by the registrar, one investor at a time: renew the KYC, change the class,
country or tax status, suspend, revoke or reactivate. Each step reads the chain first and
sends only what differs (a rerun sends nothing); a dry run says what would be sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kabuto.coupons import end_of_jst_day
from kabuto.domain import investor_id_to_bytes32, jst_date
from kabuto.errors import ChainStateError, OptionError
from kabuto.lots import ZERO_ADDRESS
from kabuto.onchain_types import InvestorClass, InvestorStatus, TaxStatus
from kabuto.ops.chain import InvestorRecord, Platform, investor_record, send
from kabuto.ops.clock import today


@dataclass(frozen=True)
class Investor:
    investor_id: str
    raw_id: bytes
    wallet: str
    record: InvestorRecord


def investor(platform: Platform, investor_id: str) -> Investor:
    """The investor's registry record. Raises OptionError for an unknown id."""
    raw = investor_id_to_bytes32(investor_id)
    wallet = str(platform.registry.walletOf(raw))
    if wallet == ZERO_ADDRESS:
        raise OptionError("INVESTOR_ID", f"{investor_id} is not registered on this chain")
    return Investor(investor_id, raw, wallet, investor_record(platform.registry, wallet))


def _update(
    platform: Platform,
    registrar: Any,
    who: Investor,
    what: str,
    investor_class: int | None = None,
    kyc_expiry: date | None = None,
    country: int | None = None,
    dry_run: bool = False,
) -> str:
    record = who.record
    wanted = (
        record.investor_class if investor_class is None else investor_class,
        record.country if country is None else country,
        record.kyc_expiry if kyc_expiry is None else end_of_jst_day(kyc_expiry),
    )
    if wanted == (record.investor_class, record.country, record.kyc_expiry):
        return f"{who.investor_id}: {what} already on chain; nothing sent"
    if dry_run:
        return f"{who.investor_id}: would send updateInvestor ({what}); dry run, nothing sent"
    send(platform.registry.updateInvestor, who.raw_id, *wanted, sender=registrar)
    return f"{who.investor_id}: {what}"


def renew_kyc(
    platform: Platform, registrar: Any, investor_id: str, until: date, dry_run: bool = False
) -> str:
    if until <= today():
        raise OptionError("--until", f"{until} is not after the chain's date {today()}")
    who = investor(platform, investor_id)
    was = jst_date(who.record.kyc_expiry)
    return _update(
        platform, registrar, who, f"KYC {was} -> {until}", kyc_expiry=until, dry_run=dry_run
    )


def set_class(
    platform: Platform,
    registrar: Any,
    investor_id: str,
    investor_class: InvestorClass,
    dry_run: bool = False,
) -> str:
    who = investor(platform, investor_id)
    was = InvestorClass(who.record.investor_class).label
    return _update(
        platform,
        registrar,
        who,
        f"class {was} -> {investor_class.label}",
        investor_class=int(investor_class),
        dry_run=dry_run,
    )


def set_tax_status(
    platform: Platform, registrar: Any, investor_id: str, status: TaxStatus, dry_run: bool = False
) -> str:
    who = investor(platform, investor_id)
    was = TaxStatus(int(platform.registry.taxStatusOf(who.raw_id)))
    if was == status:
        return f"{investor_id}: tax status already {status.label}; nothing sent"
    if dry_run:
        return f"{investor_id}: would set tax status {was.label} -> {status.label}; dry run"
    send(platform.registry.setTaxStatus, who.raw_id, int(status), sender=registrar)
    return f"{investor_id}: tax status {was.label} -> {status.label}"


def set_status(
    platform: Platform,
    registrar: Any,
    investor_id: str,
    status: InvestorStatus,
    dry_run: bool = False,
) -> str:
    who = investor(platform, investor_id)
    was = InvestorStatus(who.record.status)
    if was == status:
        return f"{investor_id}: already {status.name.lower()}; nothing sent"
    if was == InvestorStatus.REVOKED and status != InvestorStatus.REVOKED:
        # The registry allows it; a revocation is meant to be final, so say so.
        raise ChainStateError(
            f"{investor_id} is revoked; onboard the investor again under a new id instead"
        )
    if dry_run:
        return f"{investor_id}: would set {was.name.lower()} -> {status.name.lower()}; dry run"
    send(platform.registry.setInvestorStatus, who.raw_id, int(status), sender=registrar)
    return f"{investor_id}: {was.name.lower()} -> {status.name.lower()}"
