"""Tokens: every security with its category, terms, supply, holders and cap, rules,
documents and record dates, and its register (paged) at the latest block or a record date,
with the export script's CSV/JSON for download."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kabuto.chainread import ChainReader
from kabuto.console import queries
from kabuto.console.access import REGISTER_ROLES
from kabuto.console.chainfacts import TokenFacts, token_facts
from kabuto.console.chart import supply_chart
from kabuto.console.downloads import register_download
from kabuto.console.formatting import record_day
from kabuto.console.i18n import Words
from kabuto.console.registerview import register_page
from kabuto.console.web import ConsoleRoute, Viewer, page_viewer, render
from kabuto.errors import KabutoError
from kabuto.service.db import get_session

router = APIRouter(route_class=ConsoleRoute)
TokensViewer = Annotated[Viewer, Depends(page_viewer("tokens"))]
DB = Annotated[Session, Depends(get_session)]


def facts_of(request: Request, address: str, kind: str) -> TokenFacts | None:
    """The token's rules, documents and limits from the chain (None without a node)."""
    settings = request.app.state.settings
    if not settings.rpc_url:
        return None
    try:
        return token_facts(ChainReader(settings.node_url()), address, kind)
    except (KabutoError, OSError):
        return None


@router.get("/tokens")
def token_list(request: Request, who: TokensViewer, db: DB) -> Response:
    return render(request, who, "tokens.html", tokens=queries.tokens(db))


@router.get("/tokens/{symbol}")
def token_page(
    request: Request,
    symbol: str,
    who: TokensViewer,
    db: DB,
    record: Annotated[int | None, Query(ge=0)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    row = queries.token(db, symbol)
    if row is None:
        raise HTTPException(404, f"no token {symbol} in the index")
    dates = queries.record_dates(db, row.address)
    chosen = next((d for d in dates if d.index == record), None)
    settings = request.app.state.settings
    shows_register = who.role in REGISTER_ROLES
    register = register_page(
        db,
        row.address,
        until=chosen.record_date if chosen else None,
        page=page,
        decrypt=who.sees_personal_data,
        issuer=settings.issuer,
        key_dir=settings.key_dir,
    )
    return render(
        request,
        who,
        "token.html",
        token=row,
        facts=facts_of(request, row.address, row.kind),
        record_dates=[(d.index, record_day(d.record_date)) for d in dates],
        chosen=chosen.index if chosen else None,
        register=register if shows_register else None,
        chart=supply_chart(queries.supply_history(db, row.address), who.lang),
    )


@router.get("/tokens/{symbol}/register.{ext}")
def download(
    request: Request,
    symbol: str,
    ext: str,
    who: TokensViewer,
    record_date: date | None = None,
    block: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    if who.role not in REGISTER_ROLES:
        raise HTTPException(403, Words(who.lang)("not_allowed"))
    if ext not in ("csv", "json"):
        raise HTTPException(404, "register.csv or register.json")
    name, body = register_download(request, who, symbol, ext, record_date, block)
    media = "text/csv; charset=utf-8" if ext == "csv" else "application/json"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
