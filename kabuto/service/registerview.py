"""The holder register of a token built from the index (no chain access): the same entries
as ``ape run export_register`` (kabuto.ops.export) at a block or a record date, with the same
lot logic (kabuto.lots) and entry order (kabuto.register.holder_entries), as a
:class:`kabuto.register.HolderRegister`. Names and addresses are decrypted in memory with the
issuer's key file, only when the caller may see them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import msgspec
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from kabuto.coupons import end_of_jst_day
from kabuto.domain import jst_date
from kabuto.errors import DecryptionError, KabutoError
from kabuto.keys import KeyFiles, load_private_key
from kabuto.lots import Lot, TransferEvent, build_lots
from kabuto.onchain_types import Category, Kind, TaxStatus
from kabuto.personal_data import PersonalData, decrypt_personal_data
from kabuto.register import (
    BeneficiaryTermsView,
    BondTermsView,
    HolderRegister,
    holder_entries,
    reconcile,
)
from kabuto.service import db


class NotIndexedError(KabutoError):
    """What was asked for is not (yet) in the index."""


def cursor_block(session: Session) -> int:
    cursor = session.get(db.IndexCursor, 1)
    if cursor is None or cursor.block_number < 0:
        raise NotIndexedError("the index is empty: the indexer has not committed a block yet")
    return cursor.block_number


def token_by_symbol(session: Session, symbol: str) -> db.TokenRow:
    row = session.scalars(select(db.TokenRow).where(db.TokenRow.symbol == symbol)).first()
    if row is None or row.kind not in ("bond", "beneficiary"):
        known = session.scalars(select(db.TokenRow.symbol)).all()
        raise NotIndexedError(f"no token {symbol!r} in the index; indexed: {', '.join(known)}")
    return row


def issuer_of(session: Session, configured: str | None) -> str | None:
    """The issuer whose key decrypts personal data: configured, else the first issuer that
    registered a public key in the registry (IssuerKeySet)."""
    if configured:
        return configured
    event = session.scalars(
        select(db.EventRow)
        .where(db.EventRow.event == "IssuerKeySet")
        .order_by(db.EventRow.block_number, db.EventRow.log_index)
    ).first()
    return str(event.args["issuer"]) if event is not None else None


# Decrypted personal data kept in this process's memory only (never written anywhere), by
# issuer, investor and the envelope's hash: a new envelope on the chain is a new key.
_PEOPLE: dict[tuple[str, str, str], PersonalData] = {}
_PEOPLE_LIMIT = 200_000


def decrypt_for(
    session: Session, investor_ids: set[str], issuer: str | None, key_dir: Path, block: int
) -> tuple[dict[str, PersonalData], list[str]]:
    """The decrypted personal data of `investor_ids` (envelopes stored up to `block`)."""
    notes: list[str] = []
    if issuer is None or not investor_ids:
        return {}, notes
    found: dict[str, PersonalData] = {}
    hashes = session.execute(
        select(db.PersonalDataRow.investor_id, db.PersonalDataRow.data_hash).where(
            db.PersonalDataRow.issuer == issuer, db.PersonalDataRow.block_number <= block
        )
    ).all()
    missing = []
    for investor_id, data_hash in hashes:
        if investor_id not in investor_ids:
            continue
        known = _PEOPLE.get((issuer, investor_id, data_hash))
        if known is None:
            missing.append(investor_id)
        else:
            found[investor_id] = known
    if not missing:
        return found, notes
    key_file = KeyFiles.for_issuer(issuer, key_dir).private
    try:
        key = load_private_key(key_file)
    except KabutoError as exc:
        return found, [f"personal data not shown: {exc}"]
    if len(_PEOPLE) > _PEOPLE_LIMIT:
        _PEOPLE.clear()
    wanted = set(missing)
    rows = session.execute(
        select(
            db.PersonalDataRow.investor_id,
            db.PersonalDataRow.data_hash,
            db.PersonalDataRow.ciphertext,
        ).where(db.PersonalDataRow.issuer == issuer, db.PersonalDataRow.block_number <= block)
    )
    for investor_id, data_hash, ciphertext in rows:
        if investor_id not in wanted:
            continue
        try:
            person = decrypt_personal_data(ciphertext, key)
        except DecryptionError as exc:
            notes.append(f"{investor_id}: personal data not decryptable with {key_file}: {exc}")
            continue
        _PEOPLE[(issuer, investor_id, data_hash)] = found[investor_id] = person
    return found, notes


def _tax_statuses_at(session: Session, block: int, current: bool) -> dict[str, TaxStatus]:
    if current:
        return {
            i: TaxStatus(s)
            for i, s in session.connection().execute(
                select(db.Investor.investor_id, db.Investor.tax_status)
            )
        }
    statuses: dict[str, TaxStatus] = {}
    for event in session.scalars(
        select(db.EventRow)
        .where(
            db.EventRow.contract == "InvestorRegistry",
            db.EventRow.event.in_(("InvestorRegistered", "TaxStatusSet")),
            db.EventRow.block_number <= block,
        )
        .order_by(db.EventRow.block_number, db.EventRow.log_index)
    ):
        statuses[event.args["investorId"]] = TaxStatus(event.args["taxStatus"])
    return statuses


def _terms(token: db.TokenRow) -> BondTermsView | BeneficiaryTermsView:
    t = token.terms or {}
    if token.kind == "bond":
        return BondTermsView(
            int(t.get("faceValue", 0)),
            int(t.get("couponRate", 0)),
            int(t.get("couponsPerYear", 0)),
            jst_date(int(t.get("issueDate", 0))),
            jst_date(int(t.get("maturityDate", 0))),
            int(t.get("redemptionValue", 0)),
            tuple(jst_date(int(d)) for d in t.get("interestPaymentDates", [])),
        )
    return BeneficiaryTermsView(
        int(t.get("issuePrice", 0)),
        tuple(jst_date(int(d)) for d in t.get("distributionPaymentDates", [])),
    )


_LOTS = msgspec.json.Decoder(dict[str, list[Lot]])


def kept_lots(session: Session, token: str) -> dict[str, list[Lot]] | None:
    """The lots at the head as the indexer keeps them in the holdings (no replay); None when
    a holding's lots are unknown (indexed before lots were kept). The JSON is read as text
    and decoded by msgspec in one document: 10,000 holders' 100,000 lots in a fraction of a
    second. (The register reconciles the lots' units with the holdings.)"""
    parts = []
    for wallet, kept in session.connection().execute(
        select(db.Holding.wallet, cast(db.Holding.lots, Text)).where(
            db.Holding.token == token, db.Holding.units != 0
        )
    ):
        if kept is None or kept == "null":
            return None
        parts.append(f'"{wallet}":{kept}')
    return _LOTS.decode("{" + ",".join(parts) + "}")


def replayed_lots(session: Session, token: str, block: int) -> dict[str, list[Lot]]:
    """The lots at `block`, replaying the token's transfers up to it (kabuto.lots)."""
    rows = session.execute(
        select(
            db.TransferRow.block_number,
            db.TransferRow.timestamp,
            db.TransferRow.sender,
            db.TransferRow.recipient,
            db.TransferRow.value,
        )
        .where(db.TransferRow.token == token, db.TransferRow.block_number <= block)
        .order_by(db.TransferRow.block_number, db.TransferRow.log_index)
    ).all()
    replaced = {
        (w.address, w.replaced_by)
        for w in session.scalars(
            select(db.Wallet).where(
                db.Wallet.replaced_by.is_not(None), db.Wallet.replaced_block <= block
            )
        )
    }
    return build_lots(
        [TransferEvent(*row) for row in rows],
        same_investor=lambda a, b: (a, b) in replaced or (b, a) in replaced,
    )


def register_from_index(
    session: Session,
    symbol: str,
    *,
    block: int | None = None,
    record_date: date | None = None,
    personal_data: bool = False,
    issuer: str | None = None,
    key_dir: Path = Path("keys"),
) -> HolderRegister:
    """The register of `symbol` at `block` (default: the last indexed block) or at the end
    of `record_date` (JST), from the index. With `personal_data`, names and addresses are
    decrypted with the issuer's key file (the API asks for it for issuer/auditor tokens)."""
    token = token_by_symbol(session, symbol)
    last = cursor_block(session)
    notes: list[str] = []
    if record_date is not None:
        cutoff = end_of_jst_day(record_date)
        indexed_until = session.scalar(
            select(db.EventRow.timestamp)
            .where(db.EventRow.block_number <= last)
            .order_by(db.EventRow.block_number.desc())
            .limit(1)
        )
        if indexed_until is None or indexed_until <= cutoff:
            raise NotIndexedError(
                f"{record_date} has not ended in the indexed blocks (up to {last}); export at "
                "a block instead, or wait for the indexer"
            )
        block = session.scalar(
            select(db.EventRow.block_number)
            .where(db.EventRow.timestamp <= cutoff)
            .order_by(db.EventRow.block_number.desc())
            .limit(1)
        )
        block = -1 if block is None else block
        scheduled = session.scalar(
            select(db.RecordDateRow.index).where(
                db.RecordDateRow.token == token.address, db.RecordDateRow.record_date == cutoff
            )
        )
        if scheduled is not None:
            notes.append(
                f"record-date snapshot #{scheduled}: entitlements as of the end of {record_date}"
            )
    block = last if block is None else block
    if block > last:
        raise NotIndexedError(f"block {block} is not indexed yet (the index ends at {last})")
    lots = (kept_lots(session, token.address) if block == last else None) or replayed_lots(
        session, token.address, block
    )
    wallets = dict(
        session.connection().execute(select(db.Wallet.address, db.Wallet.investor_id)).all()
    )
    investor_ids = {w: wallets.get(w, "") for w in lots}
    people: dict[str, PersonalData] = {}
    if personal_data:
        people, decrypt_notes = decrypt_for(
            session, set(investor_ids.values()) - {""}, issuer_of(session, issuer), key_dir, block
        )
        notes += decrypt_notes
    statuses = _tax_statuses_at(session, block, current=block == last)
    entries = holder_entries(lots, investor_ids, people, statuses)
    if block == last:
        supply = token.total_supply
        balances = dict(
            session.execute(
                select(db.Holding.wallet, db.Holding.units).where(db.Holding.token == token.address)
            ).all()
        )
    else:
        balances = {e.wallet: e.units for e in entries}
        supply = sum(balances.values())
    notes.append(
        f"from the index at block {block}: reconciled with the indexed balances and supply "
        "(python -m kabuto.service verify reconciles the index with the chain)"
    )
    stamp = session.scalar(
        select(db.EventRow.timestamp)
        .where(db.EventRow.block_number <= block)
        .order_by(db.EventRow.block_number.desc())
        .limit(1)
    )
    return HolderRegister(
        symbol=token.symbol,
        name=token.name,
        token_address=token.address,
        chain_id=session.get(db.IndexCursor, 1).chain_id,  # type: ignore[union-attr]
        category=Category.from_label(token.category),
        kind=Kind.BOND if token.kind == "bond" else Kind.BENEFICIARY,
        block_number=block,
        block_timestamp=int(stamp or 0),
        record_date=record_date,
        terms=_terms(token),
        entries=entries,
        reconciliation=reconcile(entries, supply, balances),
        notes=tuple(notes),
    )
