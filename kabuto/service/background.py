"""The service's background workers, started and stopped with the app: the indexer
following the chain, and the job runner (kabuto.service.jobs) when jobs run here."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from kabuto.service.settings import ServiceSettings

log = logging.getLogger("kabuto.service")


@dataclass
class Worker:
    name: str
    thread: threading.Thread | None = None
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=10)


def _follow(app: FastAPI, worker: Worker) -> None:
    from kabuto.service.indexer.follow import Indexer
    from kabuto.service.indexer.rpc import IndexReader

    settings: ServiceSettings = app.state.settings
    indexer: Indexer | None = None
    while not worker.stopping.is_set():
        try:
            if indexer is None:
                url = settings.node_url()
                manifest = settings.manifest_for(IndexReader(url).chain_id())
                indexer = Indexer(app.state.database, url, manifest)
            indexer.sync(stop=worker.stopping)
            app.state.index_error = None
        except Exception as exc:  # noqa: BLE001 (reported in /index/status; retried)
            app.state.index_error = f"{type(exc).__name__}: {exc}"
            log.warning("indexer: %s", app.state.index_error)
        worker.stopping.wait(settings.poll_seconds)


def start(app: FastAPI) -> list[Any]:
    settings: ServiceSettings = app.state.settings
    workers: list[Any] = []
    app.state.index_error = None
    if settings.follow:
        worker = Worker("indexer")
        worker.thread = threading.Thread(target=_follow, args=(app, worker), daemon=True)
        worker.thread.start()
        workers.append(worker)
    if settings.run_jobs:
        from kabuto.service.jobs.runner import start_runner

        workers.append(start_runner(app))
    return workers
