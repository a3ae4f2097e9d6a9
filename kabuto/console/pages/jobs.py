"""Jobs: upload an investors CSV, a term sheet and its allocation, or a venue's executions;
every row is checked first and the problems shown in the page (nothing is sent while any
remain); then the job runs in the service with a progress bar that survives a reload (its
state is the service's ``jobs`` row)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from kabuto.console import queries
from kabuto.console.access import UPLOAD_KINDS, job_roles
from kabuto.console.i18n import Words
from kabuto.console.jobs_bridge import job_files, offered, save, submit_job
from kabuto.console.web import PREFIX, ConsoleRoute, Viewer, page_viewer, render
from kabuto.errors import InputError, KabutoError
from kabuto.service.db import get_session

router = APIRouter(route_class=ConsoleRoute)
JobsViewer = Annotated[Viewer, Depends(page_viewer("jobs"))]
DB = Annotated[Session, Depends(get_session)]
Issue = tuple[str, int | None, str | None, str]


def _page(request: Request, who: Viewer, db: Session, status: int = 200, **extra: object):
    return render(
        request,
        who,
        "jobs.html",
        status=status,
        kinds=[k for k in UPLOAD_KINDS if who.role in job_roles(k)],
        job_files={k: job_files(k) for k in UPLOAD_KINDS},
        offered={k: offered(k) for k in UPLOAD_KINDS},
        jobs=queries.jobs(db),
        **extra,
    )


@router.get("/jobs")
def jobs(request: Request, who: JobsViewer, db: DB) -> Response:
    return _page(request, who, db)


@router.post("/jobs/{kind}")
async def upload(request: Request, kind: str, who: JobsViewer) -> Response:
    if kind not in UPLOAD_KINDS:
        raise HTTPException(404, f"no job kind {kind}")
    if who.role not in job_roles(kind):
        raise HTTPException(403, Words(who.lang)("not_allowed"))
    form = await request.form()
    files = {}
    for field in job_files(kind):
        upload = form.get(field)
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _failed(request, who, kind, [("-", None, field, "no file chosen")])
        files[field] = save(request, upload.filename, await upload.read())
    params = {k: v for k, v in form.items() if isinstance(v, str) and v and k == "tranche"}
    try:
        job_id = submit_job(request, who, kind, params, files)
    except InputError as exc:
        issues = [(Path(i.file).name, i.row, i.field, i.message) for i in exc.issues]
        return _failed(request, who, kind, issues)
    except KabutoError as exc:
        return _failed(request, who, kind, [("-", None, None, str(exc))])
    return RedirectResponse(f"{PREFIX}/jobs/{job_id}", status_code=303)


def _failed(request: Request, who: Viewer, kind: str, issues: list[Issue]) -> Response:
    database = request.app.state.database
    with database.session() as db:
        return _page(request, who, db, status=422, failed_kind=kind, issues=issues)


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str, who: JobsViewer, db: DB) -> Response:
    job = queries.job(db, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return render(request, who, "job.html", job=job)


@router.get("/jobs/{job_id}/status")
def job_status(job_id: str, who: JobsViewer, db: DB) -> JSONResponse:
    job = queries.job(db, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return JSONResponse(
        {
            "job_id": job.job_id,
            "status": job.status,
            "done": job.done,
            "total": job.total,
            "message": job.message,
        }
    )
