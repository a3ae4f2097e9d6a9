"""Investors: search by id, wallet or name; one investor's status, class, KYC expiry
(highlighted within 30 days), tax status, wallets past and present, holdings and audit
trail. Names are searched and shown only for the roles that see personal data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kabuto.console import queries
from kabuto.console.formatting import kyc_state
from kabuto.console.registerview import decrypt_people
from kabuto.console.web import ConsoleRoute, Viewer, page_viewer, render
from kabuto.service.db import PersonalDataRow, get_session

router = APIRouter(route_class=ConsoleRoute)
InvestorViewer = Annotated[Viewer, Depends(page_viewer("investors"))]
DB = Annotated[Session, Depends(get_session)]


def _names(request: Request, db: Session, ids: list[str] | None) -> dict[str, str]:
    """Decrypted names by investor id (all investors when `ids` is None)."""
    settings = request.app.state.settings
    if ids is None:
        ids = list(db.scalars(select(PersonalDataRow.investor_id)).all())
    people, _ = decrypt_people(db, ids, settings.issuer, settings.key_dir)
    return {i: p.name for i, p in people.items()}


@router.get("/investors")
def search(request: Request, who: InvestorViewer, db: DB, q: str = "") -> Response:
    matched_by_name: list[str] = []
    names: dict[str, str] = {}
    if who.sees_personal_data:
        names = _names(request, db, None)
        if q.strip():
            matched_by_name = [i for i, n in names.items() if q.strip() in n]
    found = queries.search_investors(db, q, matched_by_name)
    return render(
        request,
        who,
        "investors.html",
        q=q,
        found=found,
        names=names,
        kyc_state=kyc_state,
        now=queries.chain_now(db),
    )


@router.get("/investors/{investor_id}")
def investor(request: Request, investor_id: str, who: InvestorViewer, db: DB) -> Response:
    row = queries.investor(db, investor_id)
    if row is None:
        raise HTTPException(404, f"no investor {investor_id} in the index")
    wallets = queries.wallets_of(db, investor_id)
    addresses = [w.address for w in wallets] or [row.wallet]
    settings = request.app.state.settings
    person = None
    if who.sees_personal_data:
        people, _ = decrypt_people(db, [investor_id], settings.issuer, settings.key_dir)
        person = people.get(investor_id)
    return render(
        request,
        who,
        "investor.html",
        line=queries.describe(row),
        person=person,
        wallets=wallets,
        holdings=queries.holdings_of(db, addresses),
        trail=queries.audit_trail(db, investor_id, addresses),
        kyc=kyc_state(row.kyc_expiry, queries.chain_now(db)),
    )
