"""The holder register on a page, from the index: the same rows as ``export_register``
(kabuto.register: lots by acquisition, ordered by investor id then wallet), one page at a
time. Lots are rebuilt from the indexed transfers (kabuto.lots, well under a second for
100,000 transfers); only the page's holders are decrypted (names and addresses, for the
roles that see them), so a 10,000-holder register renders in well under a second."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kabuto.errors import KabutoError
from kabuto.keys import KeyFiles, load_private_key
from kabuto.lots import TransferEvent, build_lots
from kabuto.onchain_types import TaxStatus
from kabuto.personal_data import PersonalData, decrypt_many
from kabuto.register import HolderEntry, holder_entries
from kabuto.service.db import Investor, PersonalDataRow, TransferRow, Wallet

PAGE_SIZE = 50


@dataclass(frozen=True)
class RegisterPage:
    entries: tuple[HolderEntry, ...]
    page: int
    pages: int
    holders: int
    units: int
    block: int  # the last indexed block the register includes
    timestamp: int
    decrypted: bool  # personal data shown (role and key allow it)
    note: str = ""


def _transfers(session: Session, token: str, until: int | None) -> list[TransferEvent]:
    query = select(
        TransferRow.block_number,
        TransferRow.timestamp,
        TransferRow.sender,
        TransferRow.recipient,
        TransferRow.value,
    ).where(TransferRow.token == token)
    if until is not None:
        query = query.where(TransferRow.timestamp <= until)
    query = query.order_by(TransferRow.block_number, TransferRow.log_index)
    return [TransferEvent(*row) for row in session.execute(query).tuples()]


def decrypt_people(
    session: Session, investor_ids: list[str], issuer: str | None, key_dir: Path
) -> tuple[dict[str, PersonalData], str]:
    """The page's decrypted personal data by investor id, and a note when it cannot be."""
    query = select(PersonalDataRow).where(PersonalDataRow.investor_id.in_(investor_ids))
    if issuer:
        query = query.where(PersonalDataRow.issuer == issuer)
    rows = session.scalars(query).all()
    if not rows:
        return {}, ""
    issuers = {r.issuer for r in rows}
    if len(issuers) > 1:
        return {}, "several issuers' personal data: set KABUTO_ISSUER"
    try:
        key = load_private_key(KeyFiles.for_issuer(issuers.pop(), key_dir).private)
    except KabutoError as exc:
        return {}, f"names not shown: {exc}"
    found: dict[str, PersonalData] = {}
    for row, result in zip(rows, decrypt_many([r.ciphertext for r in rows], key), strict=True):
        if isinstance(result, PersonalData):
            found[row.investor_id] = result
    return found, ""


def register_page(
    session: Session,
    token: str,
    *,
    until: int | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
    decrypt: bool = False,
    issuer: str | None = None,
    key_dir: Path = Path("keys"),
) -> RegisterPage:
    """Page `page` of the register of `token` with the transfers up to `until` (a record
    date's cutoff, unix time; None: everything indexed)."""
    events = _transfers(session, token, until)
    replaced = set(
        session.execute(
            select(Wallet.address, Wallet.replaced_by).where(Wallet.replaced_by.is_not(None))
        ).tuples()
    )
    lots = build_lots(events, same_investor=lambda a, b: (a, b) in replaced or (b, a) in replaced)
    ids = dict(
        session.execute(
            select(Wallet.address, Wallet.investor_id).where(Wallet.address.in_(list(lots)))
        ).tuples()
    )
    statuses = {
        i: TaxStatus(s)
        for i, s in session.execute(
            select(Investor.investor_id, Investor.tax_status).where(
                Investor.investor_id.in_(set(ids.values()))
            )
        ).tuples()
    }
    entries = holder_entries(lots, ids, {}, statuses)
    pages = max(1, -(-len(entries) // size))
    page = min(max(1, page), pages)
    shown = entries[(page - 1) * size : page * size]
    note = ""
    if decrypt and shown:
        people, note = decrypt_people(session, [e.investor_id for e in shown], issuer, key_dir)
        shown = tuple(
            HolderEntry(e.wallet, e.investor_id, people.get(e.investor_id), e.lots, e.tax_status)
            for e in shown
        )
    last = events[-1] if events else None
    return RegisterPage(
        entries=tuple(shown),
        page=page,
        pages=pages,
        holders=len(entries),
        units=sum(e.units for e in entries),
        block=last.block_number if last else 0,
        timestamp=last.timestamp if last else 0,
        decrypted=decrypt and not note,
        note=note,
    )
