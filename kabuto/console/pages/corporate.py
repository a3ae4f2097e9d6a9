"""Corporate actions: the payment calendar (record and payment dates of every token), each
payment's totals in yen (funded = paid + withheld + held + unpaid, checked), who is held and
why, and each token's supply and holder count over time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kabuto.console import queries
from kabuto.console.chart import supply_chart
from kabuto.console.formatting import jst_day, record_day
from kabuto.console.web import ConsoleRoute, Viewer, page_viewer, render
from kabuto.service.db import get_session

router = APIRouter(route_class=ConsoleRoute)
CorporateViewer = Annotated[Viewer, Depends(page_viewer("corporate"))]
DB = Annotated[Session, Depends(get_session)]


@router.get("/corporate")
def corporate(request: Request, who: CorporateViewer, db: DB) -> Response:
    tokens = queries.tokens(db)
    symbols = {t.address: t.symbol for t in tokens}
    calendar = sorted(
        [
            (record_day(d.record_date).isoformat(), symbols.get(d.token, d.token), "record_date")
            for t in tokens
            for d in queries.record_dates(db, t.address)
        ]
        + [
            (jst_day(int(day)), t.symbol, "payment_date")
            for t in tokens
            for key in ("interestPaymentDates", "distributionPaymentDates")
            for day in (t.terms or {}).get(key, [])
        ]
    )
    record_days = {
        (d.token, d.index): record_day(d.record_date).isoformat()
        for t in tokens
        for d in queries.record_dates(db, t.address)
    }
    payments = [
        (p, queries.payment_totals(db, p), record_days.get((p.token, p.details.get("recordIndex"))))
        for p in queries.payments(db)
    ]
    frozen = queries.frozen_wallets(db)
    return render(
        request,
        who,
        "corporate.html",
        calendar=calendar,
        payments=payments,
        held=queries.held_payments(db),
        frozen=frozen,
        symbols=symbols,
        charts=[
            (t.symbol, supply_chart(queries.supply_history(db, t.address), who.lang))
            for t in tokens
        ],
    )
