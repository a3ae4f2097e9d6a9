"""Operator jobs over HTTP: ``POST /jobs/<kind>`` checks everything and answers 422 with
the file, row and field of each problem before anything is sent; otherwise 202 with the
job (200 with the earlier job when the same job, by content, was already submitted).
``GET /jobs`` and ``GET /jobs/{id}`` show status and progress."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from kabuto.errors import InputError, KabutoError
from kabuto.service import db
from kabuto.service.api.access import ACCESS
from kabuto.service.api.read import Paging, PagingDep, page, who
from kabuto.service.auth import Principal
from kabuto.service.jobs import kinds
from kabuto.service.jobs.runner import job_view, store_upload, submit

router = APIRouter(prefix="/jobs", tags=["jobs"])
SessionDep = Annotated[Session, Depends(db.get_session)]


def _issues(error: InputError) -> list[dict[str, Any]]:
    return [
        {
            "file": Path(issue.file).name if "/" in issue.file else issue.file,
            "row": issue.row,
            "field": issue.field,
            "message": issue.message,
        }
        for issue in error.issues
    ]


def _submit(
    request: Request, kind: str, params: dict[str, Any], files: dict[str, Path], caller: Principal
) -> JSONResponse:
    try:
        done = submit(
            request.app.state.database, request.app.state.settings, kind, params, files, caller
        )
    except InputError as exc:
        raise HTTPException(
            422, {"message": "nothing was sent: fix the input", "issues": _issues(exc)}
        ) from exc
    except KabutoError as exc:
        raise HTTPException(409, {"message": str(exc)}) from exc
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        runner.wake.set()
    return JSONResponse(job_view(done.job), status_code=200 if done.existing else 202)


async def _saved(request: Request, field: str, upload: UploadFile) -> Path:
    return store_upload(request.app.state.settings, upload.filename or field, await upload.read())


@router.post("/onboard", status_code=202)
async def onboard(
    request: Request,
    caller: who("onboard"),
    investors: Annotated[
        UploadFile, File(description="the investors CSV (examples/investors.csv)")
    ],
) -> JSONResponse:
    """Onboard the investors of an uploaded CSV (personal data encrypted to the issuer key)."""
    files = {"investors": await _saved(request, "investors.csv", investors)}
    return _submit(request, "onboard", {}, files, caller)


@router.post("/issue", status_code=202)
async def issue(
    request: Request,
    caller: who("issue"),
    term_sheet: Annotated[UploadFile, File(description="the term sheet (YAML)")],
    allocation: Annotated[UploadFile, File(description="the allocation CSV")],
    tranche: Annotated[str | None, Form()] = None,
    allow_early: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """Issue a security from a term sheet and an allocation."""
    files = {
        "term_sheet": await _saved(request, "term-sheet.yaml", term_sheet),
        "allocation": await _saved(request, "allocation.csv", allocation),
    }
    params = kinds.IssueOptions(tranche=tranche, allow_early=allow_early).model_dump()
    return _submit(request, "issue", params, files, caller)


@router.post("/settle-batch", status_code=202)
async def settle_batch(
    request: Request,
    caller: who("settle_batch"),
    executions: Annotated[UploadFile, File(description="a venue's executions CSV")],
    reference: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """Settle a venue's executions as one all-or-nothing batch (signed by the venue agent)."""
    files = {"executions": await _saved(request, "executions.csv", executions)}
    params = kinds.SettleOptions(reference=reference).model_dump()
    return _submit(request, "settle_batch", params, files, caller)


def _json_job(kind: str, model: type[kinds.Params], access: str) -> None:
    def endpoint(request: Request, body: model, caller: who(access)) -> JSONResponse:  # type: ignore[valid-type]
        return _submit(request, kind, body.model_dump(mode="json"), {}, caller)  # type: ignore[attr-defined]

    router.post(
        f"/{kind.replace('_', '-')}",
        status_code=202,
        operation_id=f"job_{kind}",
        summary=f"{kind.replace('_', ' ')} (a job)",
    )(endpoint)


_json_job("approve", kinds.Approve, "approve")
_json_job("reject", kinds.Reject, "reject")
_json_job("pay", kinds.Pay, "pay")
_json_job("redeem", kinds.Redeem, "redeem")
_json_job("freeze", kinds.Freeze, "freeze")
_json_job("forced_transfer", kinds.ForcedTransfer, "forced_transfer")
_json_job("recovery", kinds.Recovery, "recovery")


@router.get("")
def jobs(
    session: SessionDep,
    _: who("jobs_read"),
    paging: PagingDep,
    status: str | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    statement = select(db.Job).order_by(db.Job.created_at)
    if status:
        statement = statement.where(db.Job.status == status)
    if kind:
        statement = statement.where(db.Job.kind == kind)
    return page(session, statement, paging, job_view)


@router.get("/{job_id}")
def job(session: SessionDep, _: who("jobs_read"), job_id: str) -> dict[str, Any]:
    found = session.get(db.Job, job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id}")
    steps = list(session.scalars(select(db.JobStep).where(db.JobStep.job_id == job_id)))
    return job_view(found, steps)


__all__ = ["router", "Paging", "ACCESS"]
