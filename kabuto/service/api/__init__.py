"""The service's HTTP API: read endpoints over the index (:mod:`.read`) and operator jobs
(:mod:`.jobs`). Who may call what is one table, :data:`.access.ACCESS`."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from kabuto.service.api import jobs, read

    return [read.router, jobs.router]
