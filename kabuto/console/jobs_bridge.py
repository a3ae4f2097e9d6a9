"""Submitting operator jobs through the service's job runner (kabuto.service.jobs): the
console never sends a transaction itself. The service checks everything first (files, rows,
fields, then the chain) and raises InputError before anything is stored or sent; the job's
status and progress are then in its ``jobs`` row, which the console's job page reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request

from kabuto.console.web import Viewer
from kabuto.errors import InputError, InputIssue
from kabuto.inputs import load_executions
from kabuto.service.jobs.kinds import KINDS
from kabuto.service.jobs.runner import store_upload, submit


def offered(kind: str) -> bool:
    return kind in KINDS


def job_files(kind: str) -> tuple[str, ...]:
    spec = KINDS.get(kind)
    return spec.files if spec else ("executions",)


def save(request: Request, name: str, data: bytes) -> Path:
    """An upload kept by content under the service's state folder."""
    return store_upload(request.app.state.settings, name, data)


def submit_job(
    request: Request, who: Viewer, kind: str, params: dict[str, Any], files: dict[str, Path]
) -> str:
    """The id of the job (a new one, or the same job submitted before, by content).

    Raises:
        InputError: what is wrong (file, row, field), before anything is sent.
        KabutoError: the chain or the manifest refuses the job.
    """
    if kind not in KINDS:
        if kind == "settle_batch":  # the rows are still checked, as the script would
            load_executions(files["executions"])
        raise InputError(
            [InputIssue("request", None, None, f"the service does not offer {kind} jobs yet")]
        )
    done = submit(
        request.app.state.database, request.app.state.settings, kind, params, files, who.principal
    )
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        runner.wake.set()
    return str(done.job.job_id)
