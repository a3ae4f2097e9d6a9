"""Read endpoints over the index: paged (``limit``, ``offset``), filterable by token,
investor, wallet and block range where those apply; ``{"total", "limit", "offset",
"items"}`` for lists."""

import threading
from datetime import date
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kabuto.bulk import paused_gc
from kabuto.chainread import checksum_address
from kabuto.errors import KabutoError
from kabuto.onchain_types import InvestorClass, InvestorStatus, TaxStatus
from kabuto.register import register_to_json
from kabuto.service import db
from kabuto.service.api.access import ACCESS
from kabuto.service.auth import Principal, require_role
from kabuto.service.registerview import (
    NotIndexedError,
    decrypt_for,
    issuer_of,
    register_from_index,
    token_by_symbol,
)

router = APIRouter(tags=["index"])
SessionDep = Annotated[Session, Depends(db.get_session)]


def who(key: str) -> Any:
    return Annotated[Principal, Depends(require_role(*ACCESS[key]))]


class Paging:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> None:
        self.limit, self.offset = limit, offset


PagingDep = Annotated[Paging, Depends()]


def _address(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return checksum_address(value.removeprefix("0x"))
    except Exception as exc:  # noqa: BLE001 (any malformed text)
        raise HTTPException(422, f"{name}: not an address: {value!r}") from exc


def page(session: Session, statement: Select[Any], paging: Paging, render: Any) -> dict[str, Any]:
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = session.scalars(statement.limit(paging.limit).offset(paging.offset)).all()
    return {
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [render(r) for r in rows],
    }


def _columns(row: Any, *skip: str) -> dict[str, Any]:
    return {c.name: getattr(row, c.key) for c in row.__table__.columns if c.name not in skip}


def _blocks(
    statement: Select[Any], column: Any, from_block: int | None, to_block: int | None
) -> Select[Any]:
    if from_block is not None:
        statement = statement.where(column >= from_block)
    if to_block is not None:
        statement = statement.where(column <= to_block)
    return statement


def _token_address(session: Session, symbol: str | None) -> str | None:
    if symbol is None:
        return None
    try:
        return token_by_symbol(session, symbol).address
    except NotIndexedError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/index/status")
def index_status(request: Request, session: SessionDep, _: who("index_status")) -> dict[str, Any]:
    """The indexer's position: chain, last committed block, and its last error if any."""
    cursor = session.get(db.IndexCursor, 1)
    return {
        "chain_id": cursor.chain_id if cursor else None,
        "block_number": cursor.block_number if cursor else -1,
        "block_hash": cursor.block_hash if cursor else None,
        "updated_at": cursor.updated_at.isoformat() if cursor else None,
        "error": getattr(request.app.state, "index_error", None),
        "database": session.get_bind().dialect.name,
    }


def _investor_view(row: db.Investor) -> dict[str, Any]:
    return {
        "investor_id": row.investor_id,
        "investor_class": InvestorClass(row.investor_class).label,
        "country": row.country,
        "kyc_expiry": row.kyc_expiry,
        "status": InvestorStatus(row.status).name.lower(),
        "tax_status": TaxStatus(row.tax_status).label,
        "wallet": row.wallet,
        "registered_block": row.registered_block,
        "updated_block": row.updated_block,
    }


@router.get("/investors")
def investors(
    request: Request,
    session: SessionDep,
    caller: who("investors"),
    paging: PagingDep,
    investor_id: str | None = None,
    wallet: str | None = None,
    status: str | None = None,
    investor_class: str | None = None,
) -> dict[str, Any]:
    """Investors (class, status, KYC expiry, tax status, current and past wallets); names
    and addresses only for the issuer's and auditor's tokens, decrypted on the server."""
    statement = select(db.Investor).order_by(db.Investor.investor_id)
    if investor_id:
        statement = statement.where(db.Investor.investor_id == investor_id)
    if wallet:
        owner = select(db.Wallet.investor_id).where(db.Wallet.address == _address(wallet, "wallet"))
        statement = statement.where(db.Investor.investor_id.in_(owner))
    if status:
        try:
            statement = statement.where(db.Investor.status == InvestorStatus[status.upper()].value)
        except KeyError as exc:
            raise HTTPException(
                422, f"status: one of {[s.name.lower() for s in InvestorStatus]}"
            ) from exc
    if investor_class:
        try:
            statement = statement.where(
                db.Investor.investor_class == InvestorClass.from_label(investor_class).value
            )
        except (KeyError, ValueError, KabutoError) as exc:
            raise HTTPException(422, f"investor_class: unknown {investor_class!r}") from exc
    result = page(session, statement, paging, _investor_view)
    ids = {item["investor_id"] for item in result["items"]}
    past: dict[str, list[dict[str, Any]]] = {}
    for w in session.scalars(select(db.Wallet).where(db.Wallet.investor_id.in_(ids))):
        past.setdefault(w.investor_id, []).append(
            {
                "address": w.address,
                "active": w.active,
                "since_block": w.since_block,
                "replaced_block": w.replaced_block,
            }
        )
    people: dict[str, Any] = {}
    if caller.sees_personal_data:
        settings = request.app.state.settings
        block = session.get(db.IndexCursor, 1)
        people, _ = decrypt_for(
            session,
            ids,
            issuer_of(session, settings.issuer),
            settings.key_dir,
            block.block_number if block else -1,
        )
    for item in result["items"]:
        item["wallets"] = past.get(item["investor_id"], [])
        if caller.sees_personal_data:
            person = people.get(item["investor_id"])
            item["name"] = person.name if person else None
            item["address"] = person.address if person else None
    return result


@router.get("/tokens")
def tokens(session: SessionDep, _: who("tokens")) -> list[dict[str, Any]]:
    """Every indexed token and the yen coin: supply, units ever issued, holders, terms."""
    return [_columns(t) for t in session.scalars(select(db.TokenRow).order_by(db.TokenRow.symbol))]


@router.get("/holdings")
def holdings(
    session: SessionDep,
    _: who("holdings"),
    paging: PagingDep,
    token: str | None = None,
    wallet: str | None = None,
    investor_id: str | None = None,
    include_zero: bool = False,
) -> dict[str, Any]:
    """Holdings per token and wallet (token by symbol), with the wallet's investor."""
    statement = (
        select(db.Holding, db.Wallet.investor_id)
        .outerjoin(db.Wallet, db.Wallet.address == db.Holding.wallet)
        .order_by(db.Holding.token, db.Holding.wallet)
    )
    if (address := _token_address(session, token)) is not None:
        statement = statement.where(db.Holding.token == address)
    if wallet:
        statement = statement.where(db.Holding.wallet == _address(wallet, "wallet"))
    if investor_id:
        statement = statement.where(db.Wallet.investor_id == investor_id)
    if not include_zero:
        statement = statement.where(db.Holding.units != 0)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    symbols = dict(session.execute(select(db.TokenRow.address, db.TokenRow.symbol)).all())
    rows = session.execute(statement.limit(paging.limit).offset(paging.offset)).all()
    return {
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [
            {**_columns(h), "symbol": symbols.get(h.token), "investor_id": investor or ""}
            for h, investor in rows
        ],
    }


REGISTER_CACHE = 16  # registers kept as JSON per app (a past block's register never changes)


@router.get("/tokens/{symbol}/register")
def register(
    request: Request,
    session: SessionDep,
    caller: who("register"),
    symbol: str,
    block: int | None = None,
    record_date: date | None = None,
) -> Response:
    """The holder register at a block or record date, from the index: the document
    export_register writes as JSON (names for issuer/auditor tokens only)."""
    if block is not None and record_date is not None:
        raise HTTPException(422, "give block or record_date, not both")
    cursor = session.get(db.IndexCursor, 1)
    key = (
        symbol,
        block,
        record_date,
        caller.sees_personal_data,
        cursor.block_number if cursor else -1,
    )
    cache: dict[Any, bytes] = request.app.state.__dict__.setdefault("register_cache", {})
    if key in cache:
        return Response(cache[key], media_type="application/json")
    locks: dict[Any, threading.Lock] = request.app.state.__dict__.setdefault("register_locks", {})
    with locks.setdefault(key, threading.Lock()):  # one build per register; the others wait
        if key in cache:
            return Response(cache[key], media_type="application/json")
        return _build_register(request, session, caller, symbol, block, record_date, key, cache)


def _build_register(
    request: Request,
    session: Session,
    caller: Principal,
    symbol: str,
    block: int | None,
    record_date: date | None,
    key: Any,
    cache: dict[Any, bytes],
) -> Response:
    settings = request.app.state.settings
    try:
        # ~100,000 lots become objects: the cyclic collector's passes over them were a
        # quarter of the build (kabuto.bulk.paused_gc, as export_register does)
        with paused_gc():
            built = register_from_index(
                session,
                symbol,
                block=block,
                record_date=record_date,
                personal_data=caller.sees_personal_data,
                issuer=settings.issuer,
                key_dir=settings.key_dir,
            )
            body = msgspec.json.encode(register_to_json(built))  # json.dumps's, 4x as fast
    except NotIndexedError as exc:
        raise HTTPException(404, str(exc)) from exc
    if len(cache) >= REGISTER_CACHE:
        cache.pop(next(iter(cache)))
    cache[key] = body
    return Response(body, media_type="application/json")


def _listing(model: Any, order: Any, key: str) -> Any:
    """A paged list endpoint of `model` filtered by token/status/block range."""

    def endpoint(
        session: SessionDep,
        _: who(key),  # type: ignore[valid-type]
        paging: PagingDep,
        token: str | None = None,
        status: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
    ) -> dict[str, Any]:
        statement = select(model).order_by(*order)
        if token is not None and hasattr(model, "token"):
            statement = statement.where(model.token == _token_address(session, token))
        if status is not None and hasattr(model, "status"):
            statement = statement.where(model.status == status)
        block_column = next(
            getattr(model, c)
            for c in ("updated_block", "block_number", "declared_block")
            if hasattr(model, c)
        )
        statement = _blocks(statement, block_column, from_block, to_block)
        return page(session, statement, paging, _columns)

    return endpoint


router.get(
    "/applications",
    operation_id="applications",
    summary="Transfer applications awaiting or past the issuer's decision",
)(_listing(db.Application, (db.Application.token, db.Application.application_id), "applications"))
router.get(
    "/dvp-instructions",
    operation_id="dvp_instructions",
    summary="Bilateral DvP instructions and their state",
)(_listing(db.DvpInstruction, (db.DvpInstruction.created_block,), "dvp_instructions"))
router.get(
    "/venue-batches", operation_id="venue_batches", summary="Venue batches settled on chain"
)(_listing(db.VenueBatch, (db.VenueBatch.block_number,), "venue_batches"))
router.get("/offerings", operation_id="offerings", summary="Primary offerings")(
    _listing(db.Offering, (db.Offering.offering_id,), "offerings")
)


@router.get("/payments")
def payments(
    session: SessionDep,
    _: who("payments"),
    paging: PagingDep,
    token: str | None = None,
    from_block: int | None = None,
    to_block: int | None = None,
) -> dict[str, Any]:
    """Declared interest, distribution and redemption payments: funded, reclaimed, per-holder
    totals by state (paid, held, released = claimed later) and what is funded but not paid."""
    statement = select(db.Payment).order_by(db.Payment.payment_id)
    if token is not None:
        statement = statement.where(db.Payment.token == _token_address(session, token))
    statement = _blocks(statement, db.Payment.updated_block, from_block, to_block)
    result = page(session, statement, paging, _columns)
    ids = [item["payment_id"] for item in result["items"]]
    h = db.HolderPayment
    sums = session.execute(
        select(
            h.payment_id,
            h.status,
            func.count(),
            func.sum(h.gross),
            func.sum(h.national_tax + h.local_tax),
            func.sum(h.net),
        )
        .where(h.payment_id.in_(ids))
        .group_by(h.payment_id, h.status)
    ).all()
    by_payment: dict[int, dict[str, Any]] = {}
    for payment_id, status, count, gross, tax, net in sums:
        by_payment.setdefault(payment_id, {})[status] = {
            "holders": count,
            "gross": int(gross or 0),
            "tax": int(tax or 0),
            "net": int(net or 0),
        }
    for item in result["items"]:
        states = by_payment.get(item["payment_id"], {})
        item["holders"] = states
        spent = sum(s["net"] + s["tax"] for s in states.values())
        item["unpaid"] = max(0, item["funded"] - item["reclaimed"] - spent)
    return result


@router.get("/offerings/{offering_id}/allotments")
def allotments(
    session: SessionDep, _: who("offerings"), paging: PagingDep, offering_id: int
) -> dict[str, Any]:
    statement = (
        select(db.Allotment)
        .where(db.Allotment.offering_id == offering_id)
        .order_by(db.Allotment.investor_id)
    )
    return page(session, statement, paging, _columns)


@router.get("/holder-payments")
def holder_payments(
    session: SessionDep,
    _: who("holder_payments"),
    paging: PagingDep,
    payment_id: int | None = None,
    holder: str | None = None,
    investor_id: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Payments per holder: paid, held (not yet claimed), released (claimed); with the
    payment's unpaid remainder under /payments (funded minus paid)."""
    statement = select(db.HolderPayment).order_by(
        db.HolderPayment.payment_id, db.HolderPayment.holder
    )
    if payment_id is not None:
        statement = statement.where(db.HolderPayment.payment_id == payment_id)
    if holder:
        statement = statement.where(db.HolderPayment.holder == _address(holder, "holder"))
    if investor_id:
        wallets = select(db.Wallet.address).where(db.Wallet.investor_id == investor_id)
        statement = statement.where(db.HolderPayment.holder.in_(wallets))
    if status:
        statement = statement.where(db.HolderPayment.status == status)
    return page(session, statement, paging, _columns)


@router.get("/events")
def events(
    session: SessionDep,
    _: who("events"),
    paging: PagingDep,
    contract: str | None = None,
    event: str | None = None,
    tx_hash: str | None = None,
    address: str | None = None,
    from_block: int | None = None,
    to_block: int | None = None,
) -> dict[str, Any]:
    """The audit trail: every event of every platform contract with its transaction and
    block (personal data as its size only)."""
    statement = select(db.EventRow).order_by(db.EventRow.block_number, db.EventRow.log_index)
    if contract:
        statement = statement.where(db.EventRow.contract == contract)
    if event:
        statement = statement.where(db.EventRow.event == event)
    if tx_hash:
        statement = statement.where(db.EventRow.tx_hash == tx_hash.lower())
    if address:
        statement = statement.where(db.EventRow.address == _address(address, "address"))
    statement = _blocks(statement, db.EventRow.block_number, from_block, to_block)
    return page(session, statement, paging, lambda r: _columns(r, "id"))
