"""Jobs: upload an investors CSV, a term sheet and its allocation, or a venue's executions;
every row is checked first and the problems shown in the page (nothing is sent while any
remain); then the job runs in the service with a progress bar that survives a reload (its
state is the service's ``jobs`` row)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kabuto.console import queries
from kabuto.console.access import JOB_ROLES
from kabuto.console.i18n import Words
from kabuto.console.jobs_bridge import submit
from kabuto.console.uploads import JOB_FILES, check_files, store
from kabuto.console.web import PREFIX, Viewer, page_viewer, render
from kabuto.domain import jst_date
from kabuto.errors import InputError
from kabuto.service.db import get_session

router = APIRouter()
JobsViewer = Annotated[Viewer, Depends(page_viewer("jobs"))]
DB = Annotated[Session, Depends(get_session)]


def _page(request: Request, who: Viewer, db: Session, status: int = 200, **extra: object):
    kinds = [k for k, roles in JOB_ROLES.items() if who.role in roles]
    return render(
        request,
        who,
        "jobs.html",
        status=status,
        kinds=kinds,
        job_files=JOB_FILES,
        jobs=queries.jobs(db),
        **extra,
    )


@router.get("/jobs")
def jobs(request: Request, who: JobsViewer, db: DB) -> Response:
    return _page(request, who, db)


@router.post("/jobs/{kind}")
async def upload(request: Request, kind: str, who: JobsViewer) -> Response:
    if kind not in JOB_FILES:
        raise HTTPException(404, f"no job kind {kind}")
    if who.role not in JOB_ROLES[kind]:
        raise HTTPException(403, Words(who.lang)("not_allowed"))
    form = await request.form()
    settings = request.app.state.settings
    stored = {}
    for field in JOB_FILES[kind]:
        upload = form.get(field)
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _failed(request, who, kind, [("", None, field, "no file chosen")])
        stored[field] = store(
            settings.state_dir / "uploads", field, upload.filename, await upload.read()
        )
    database = request.app.state.database
    with database.session() as db:
        today = jst_date(queries.chain_now(db))
    try:
        rows = check_files(kind, stored, today)
        params = {f: str(s.path) for f, s in stored.items()}
        params["names"] = {f: s.original_name for f, s in stored.items()}
        job_id = submit(request, who, kind, params)
    except InputError as exc:
        return _failed(
            request, who, kind, [(i.file, i.row, i.field, i.message) for i in exc.issues]
        )
    del rows
    return RedirectResponse(f"{PREFIX}/jobs/{job_id}", status_code=303)


def _failed(request: Request, who: Viewer, kind: str, issues: list[tuple]) -> Response:
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
