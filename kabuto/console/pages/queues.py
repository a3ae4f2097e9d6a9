"""Queues: transfer applications waiting for the issuer and open DvP instructions, with
approve / reject (a reason is required to reject) for the roles the API allows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from kabuto.console import queries
from kabuto.console.access import APPROVE_ROLES
from kabuto.console.i18n import Words
from kabuto.console.jobs_bridge import submit_job
from kabuto.console.web import PREFIX, ConsoleRoute, Viewer, page_viewer, render
from kabuto.errors import InputError, KabutoError
from kabuto.service.db import get_session

router = APIRouter(route_class=ConsoleRoute)
QueueViewer = Annotated[Viewer, Depends(page_viewer("queues"))]
DB = Annotated[Session, Depends(get_session)]


def _page(request: Request, who: Viewer, db: Session, status: int = 200, **extra: object):
    return render(
        request,
        who,
        "queues.html",
        status=status,
        applications=queries.pending_applications(db),
        instructions=queries.open_instructions(db),
        symbols=queries.token_symbols(db),
        may_decide=who.role in APPROVE_ROLES,
        now=queries.chain_now(db),
        **extra,
    )


@router.get("/queues")
def queues(request: Request, who: QueueViewer, db: DB) -> Response:
    return _page(request, who, db)


@router.post("/queues/{token}/{application_id}")
def decide(
    request: Request,
    token: str,
    application_id: int,
    who: QueueViewer,
    db: DB,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    if who.role not in APPROVE_ROLES:
        raise HTTPException(403, Words(who.lang)("not_allowed"))
    if decision not in ("approve", "reject"):
        raise HTTPException(422, "decision must be approve or reject")
    if decision == "reject" and not reason.strip():
        return _page(request, who, db, status=422, error=(token, application_id, "reason_required"))
    params = {"symbol": token, "ids": [application_id], "reason": reason.strip()}
    try:
        job_id = submit_job(request, who, decision, params, {})
    except InputError as exc:
        return _page(request, who, db, status=422, error=(token, application_id, str(exc)))
    except KabutoError as exc:
        return _page(request, who, db, status=409, error=(token, application_id, str(exc)))
    return RedirectResponse(f"{PREFIX}/jobs/{job_id}", status_code=303)
