"""Submitting operator jobs through the service (kabuto.service.jobs): the console never
sends a transaction itself. A job runs in the service's job runner, which keeps its status
and progress in the ``jobs`` table; the console's job page reads them back."""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import HTTPException, Request

from kabuto.console.web import Viewer
from kabuto.errors import InputError

SERVICE_JOBS = "kabuto.service.jobs"


def _service_submit() -> Any:
    try:
        jobs = importlib.import_module(SERVICE_JOBS)
    except ModuleNotFoundError as exc:
        raise HTTPException(503, "the service's job runner is not installed") from exc
    return jobs.submit_job


def submit(request: Request, who: Viewer, kind: str, params: dict[str, Any]) -> str:
    """The id of the job of `kind` with `params` submitted as the viewer (the service checks
    the role and the inputs again; an input problem raises InputError)."""
    submit_job = _service_submit()
    database = request.app.state.database
    with database.session() as session:
        job = submit_job(session, kind, params, who.principal)
        session.commit()
        return str(job.job_id if hasattr(job, "job_id") else job)


def submit_decision(
    request: Request, who: Viewer, token: str, application_id: int, decision: str, reason: str
) -> str:
    try:
        return submit(
            request,
            who,
            "approve" if decision == "approve" else "reject",
            {"token": token, "ids": [application_id], "reason": reason},
        )
    except InputError as exc:
        raise HTTPException(422, str(exc)) from exc
