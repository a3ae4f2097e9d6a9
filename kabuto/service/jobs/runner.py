"""Submitting, storing and running jobs. Submission checks everything first (nothing is
stored or sent on bad input); the runner thread takes queued jobs, and running ones left by
a stopped service, oldest first, and records progress as kabuto.batching reports it."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from kabuto.batching import PROGRESS
from kabuto.errors import KabutoError
from kabuto.service import db
from kabuto.service.auth import Principal
from kabuto.service.jobs.chain import CHAIN_LOCK, ensure_connected
from kabuto.service.jobs.kinds import KINDS, Context
from kabuto.service.settings import ServiceSettings

log = logging.getLogger("kabuto.service.jobs")
ACTIVE = ("queued", "running")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_upload(settings: ServiceSettings, name: str, data: bytes) -> Path:
    """Keeps an uploaded file by its content (uploads/<sha256>/<its file name>)."""
    folder = settings.state_dir / "uploads" / _digest(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name or "upload").name
    if not path.exists():
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return path


def content_id(kind: str, params: dict[str, Any], files: dict[str, Path]) -> str:
    """A job's identity: its kind, parameters and the files' contents (not their names)."""
    document = {
        "kind": kind,
        "params": params,
        "files": {k: _digest(p.read_bytes()) for k, p in sorted(files.items())},
    }
    return _digest(json.dumps(document, sort_keys=True, default=str).encode())


@dataclass
class Submitted:
    job: db.Job
    existing: bool


def submit(
    database: db.Database,
    settings: ServiceSettings,
    kind: str,
    params: dict[str, Any],
    files: dict[str, Path],
    principal: Principal,
) -> Submitted:
    """Checks the job and stores it queued; the same job (same kind, parameters and file
    contents) already queued, running or done is returned instead of a second one.

    Raises:
        InputError: bad input (file, row, field), before anything is stored or sent.
        KabutoError: the chain or manifest refuses it.
    """
    spec = KINDS[kind]
    identity = content_id(kind, params, files)
    with database.session() as session:
        same = session.scalars(
            select(db.Job).where(db.Job.content_id == identity, db.Job.status != "failed")
        ).first()
        if same is not None:
            return Submitted(same, True)
    job_id = str(uuid.uuid4())
    with CHAIN_LOCK:
        ensure_connected(settings)
        checked = spec.check(Context(settings, job_id, params, files, settings.job_batch_size))
    job = db.Job(
        job_id=job_id,
        kind=kind,
        content_id=identity,
        status="queued",
        submitted_by=principal.name,
        role=principal.role.value,
        params={**checked, "files": {k: str(p) for k, p in files.items()}},
        message="queued",
    )
    with database.session() as session, session.begin():
        session.add(job)
    return Submitted(job, False)


def job_view(job: db.Job, steps: list[db.JobStep] | None = None) -> dict[str, Any]:
    view = {
        "job_id": job.job_id,
        "kind": job.kind,
        "status": job.status,
        "submitted_by": job.submitted_by,
        "role": job.role,
        "params": {k: v for k, v in job.params.items() if k != "files"},
        "files": {k: Path(v).name for k, v in job.params.get("files", {}).items()},
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "result": job.result,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "updated_at": job.updated_at.isoformat() if job.updated_at else None,
    }
    if steps is not None:
        view["steps"] = [{"step": s.step, "status": s.status, "detail": s.detail} for s in steps]
    return view


def _update(database: db.Database, job_id: str, **values: Any) -> None:
    with database.session() as session, session.begin():
        job = session.get(db.Job, job_id)
        if job is not None:
            for key, value in values.items():
                setattr(job, key, value)
            job.updated_at = db._now()


def _step(database: db.Database, job_id: str, step: str, status: str, detail: str = "") -> None:
    with database.session() as session, session.begin():
        row = session.get(db.JobStep, (job_id, step))
        if row is None:
            session.add(db.JobStep(job_id=job_id, step=step, status=status, detail=detail))
        else:
            row.status, row.detail, row.updated_at = status, detail, db._now()


def run_one(database: db.Database, settings: ServiceSettings, job: db.Job) -> None:
    """Runs (or resumes) one job to its end and records the outcome."""
    attempt = job.attempts + 1
    _update(
        database,
        job.job_id,
        status="running",
        attempts=attempt,
        message=f"running (attempt {attempt})",
    )
    _step(database, job.job_id, f"attempt {attempt}", "started")

    def progress(description: str, done: int, total: int) -> None:
        _update(
            database, job.job_id, done=done, total=total, message=f"{description}: {done}/{total}"
        )
        _step(
            database,
            job.job_id,
            description,
            "in progress" if done < total else "done",
            f"{done}/{total}",
        )

    files = {k: Path(v) for k, v in job.params.get("files", {}).items()}
    params = {k: v for k, v in job.params.items() if k != "files"}
    token = PROGRESS.set(progress)
    try:
        with CHAIN_LOCK:
            ensure_connected(settings)
            result = KINDS[job.kind].run(
                Context(settings, job.job_id, params, files, settings.job_batch_size)
            )
        _update(database, job.job_id, status="succeeded", result=result, message="done")
        _step(database, job.job_id, f"attempt {attempt}", "done")
    except KabutoError as exc:
        _update(database, job.job_id, status="failed", message=str(exc)[:4000])
        _step(database, job.job_id, f"attempt {attempt}", "failed", str(exc)[:2000])
    except Exception as exc:  # noqa: BLE001 (the chain refused, the node went away: recorded)
        from kabuto.ops.chain import revert_reason

        _update(
            database,
            job.job_id,
            status="failed",
            message=f"{type(exc).__name__}: {revert_reason(exc)}"[:4000],
        )
        _step(database, job.job_id, f"attempt {attempt}", "failed", str(exc)[:2000])
        log.exception("job %s", job.job_id)
    finally:
        PROGRESS.reset(token)


def next_job(database: db.Database) -> db.Job | None:
    with database.session() as session:
        return session.scalars(
            select(db.Job).where(db.Job.status.in_(ACTIVE)).order_by(db.Job.created_at)
        ).first()


@dataclass
class Runner:
    app: FastAPI
    thread: threading.Thread | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        database: db.Database = self.app.state.database
        settings: ServiceSettings = self.app.state.settings
        while not self.stopping.is_set():
            try:
                job = next_job(database)
                if job is not None:
                    run_one(database, settings, job)
                    continue
            except Exception:  # noqa: BLE001 (logged; the loop keeps serving)
                log.exception("job runner")
            self.wake.wait(1.0)
            self.wake.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=5)


def start_runner(app: FastAPI) -> Runner:
    runner = Runner(app)
    app.state.job_runner = runner
    runner.thread = threading.Thread(target=runner.loop, daemon=True, name="kabuto-jobs")
    runner.thread.start()
    return runner


def clear_uploads(settings: ServiceSettings) -> None:
    shutil.rmtree(settings.state_dir / "uploads", ignore_errors=True)
