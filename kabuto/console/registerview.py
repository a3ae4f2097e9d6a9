"""The holder register on a page, from the index: the same rows as ``export_register``
(kabuto.register: lots by acquisition, ordered by investor id then wallet), one page at a
time. Lots are rebuilt from the indexed transfers (kabuto.lots, well under a second for
100,000 transfers); only the page's holders are decrypted (names and addresses, for the
roles that see them), so a 10,000-holder register renders in well under a second."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session

from kabuto.errors import KabutoError
from kabuto.keys import KeyFiles, load_private_key
from kabuto.lots import ZERO_ADDRESS, Lot, TransferEvent, build_lots
from kabuto.onchain_types import TaxStatus
from kabuto.personal_data import PersonalData, decrypt_many
from kabuto.register import HolderEntry, holder_entries
from kabuto.service.db import Holding, Investor, PersonalDataRow, TransferRow, Wallet

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


def _balances(session: Session, token: str, until: int | None) -> dict[str, int]:
    """Every wallet's non-zero balance after the transfers up to `until` (one SQL sum)."""
    moves = []
    for wallet, sign in ((TransferRow.recipient, 1), (TransferRow.sender, -1)):
        query = select(wallet.label("wallet"), (TransferRow.value * sign).label("delta")).where(
            TransferRow.token == token
        )
        if until is not None:
            query = query.where(TransferRow.timestamp <= until)
        moves.append(query)
    both = union_all(*moves).subquery()
    rows = session.execute(
        select(both.c.wallet, func.sum(both.c.delta))
        .group_by(both.c.wallet)
        .having(func.sum(both.c.delta) > 0)
    ).all()
    return {wallet: int(units) for wallet, units in rows if wallet != ZERO_ADDRESS}


def _current_totals(session: Session, token: str) -> tuple[int, int]:
    count, units = session.execute(
        select(func.count(), func.coalesce(func.sum(Holding.units), 0)).where(
            Holding.token == token, Holding.units > 0
        )
    ).one()
    return int(count), int(units)


def _current_page(session: Session, token: str, offset: int, size: int) -> list[tuple[str, str]]:
    """(wallet, investor id) of one page of today's holders, in the register's order."""
    investor = func.coalesce(Wallet.investor_id, "")
    return [
        (wallet, investor_id)
        for wallet, investor_id in session.execute(
            select(Holding.wallet, investor)
            .outerjoin(Wallet, Wallet.address == Holding.wallet)
            .where(Holding.token == token, Holding.units > 0)
            .order_by(investor, Holding.wallet)
            .offset(offset)
            .limit(size)
        ).all()
    ]


def _lots_of(
    session: Session, token: str, wallets: set[str], until: int | None
) -> dict[str, list[Lot]]:
    """The lots of `wallets` only, from the transfers that touch them: a unit from outside
    the set is an acquisition at that time, a unit leaving it a disposal (FIFO, as
    kabuto.lots does for the whole register)."""
    chosen = list(wallets)
    query = select(
        TransferRow.block_number,
        TransferRow.timestamp,
        TransferRow.sender,
        TransferRow.recipient,
        TransferRow.value,
    ).where(
        TransferRow.token == token,
        or_(TransferRow.sender.in_(chosen), TransferRow.recipient.in_(chosen)),
    )
    if until is not None:
        query = query.where(TransferRow.timestamp <= until)
    query = query.order_by(TransferRow.block_number, TransferRow.log_index)
    events = [
        TransferEvent(
            block,
            stamp,
            sender if sender in wallets else ZERO_ADDRESS,
            recipient if recipient in wallets else ZERO_ADDRESS,
            value,
        )
        for block, stamp, sender, recipient, value in session.execute(query).all()
    ]
    replaced = set(
        session.execute(
            select(Wallet.address, Wallet.replaced_by).where(
                Wallet.replaced_by.is_not(None), Wallet.address.in_(chosen)
            )
        ).all()
    )
    return build_lots(events, same_investor=lambda a, b: (a, b) in replaced or (b, a) in replaced)


def _last_block(session: Session, token: str, until: int | None) -> tuple[int, int]:
    query = select(TransferRow.block_number, TransferRow.timestamp).where(
        TransferRow.token == token
    )
    if until is not None:
        query = query.where(TransferRow.timestamp <= until)
    row = session.execute(
        query.order_by(TransferRow.block_number.desc(), TransferRow.log_index.desc()).limit(1)
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


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
    if until is None:  # the latest block: the index's current holdings, paged in SQL
        count, units = _current_totals(session, token)
        pages = max(1, -(-count // size))
        page = min(max(1, page), pages)
        ids = dict(_current_page(session, token, (page - 1) * size, size))
        chosen = list(ids)
    else:  # a record date: balances summed from the transfers up to its end
        balances = _balances(session, token, until)
        ids = dict(session.execute(select(Wallet.address, Wallet.investor_id)).all())
        order = sorted(balances, key=lambda w: (ids.get(w, ""), w))  # the register's order
        count, units = len(order), sum(balances.values())
        pages = max(1, -(-count // size))
        page = min(max(1, page), pages)
        chosen = order[(page - 1) * size : page * size]
    page_ids = {ids.get(w, "") for w in chosen}
    # the page's investors' other wallets too: a recovery keeps the acquisition dates
    related = set(chosen) | set(
        session.scalars(select(Wallet.address).where(Wallet.investor_id.in_(page_ids))).all()
    )
    lots = _lots_of(session, token, related, until)
    statuses = {
        i: TaxStatus(s)
        for i, s in session.execute(
            select(Investor.investor_id, Investor.tax_status).where(
                Investor.investor_id.in_(page_ids)
            )
        ).all()
    }
    shown = holder_entries({w: lots.get(w, []) for w in chosen}, ids, {}, statuses)
    note = ""
    if decrypt and shown:
        people, note = decrypt_people(session, [e.investor_id for e in shown], issuer, key_dir)
        shown = tuple(
            HolderEntry(e.wallet, e.investor_id, people.get(e.investor_id), e.lots, e.tax_status)
            for e in shown
        )
    block, stamp = _last_block(session, token, until)
    return RegisterPage(
        entries=tuple(shown),
        page=page,
        pages=pages,
        holders=count,
        units=units,
        block=block,
        timestamp=stamp,
        decrypted=decrypt and not note,
        note=note,
    )
