"""The service's FastAPI application.

``create_app(settings)`` builds the app: the database (migrated to the current schema), the
role tokens, the API routers of kabuto.service.api, the background indexer and job runner
(when the settings say so), and any routers another package mounts:

* ``create_app(settings, routers=[my_router])`` includes the given routers, or
* the console (issue 18): when ``kabuto.console`` is importable and has ``router`` (an
  APIRouter) or ``build_router(settings) -> APIRouter``, it is included without arguments.

Routers use :func:`kabuto.service.auth.require_role` for access and
:func:`kabuto.service.db.get_session` for the database; ``request.app.state`` carries
``settings``, ``database`` and ``tokens``.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI

from kabuto.service.auth import Principal, TokenStore, current_principal
from kabuto.service.db import open_database
from kabuto.service.settings import ServiceSettings

CONSOLE_MODULE = "kabuto.console"


def console_router(settings: ServiceSettings) -> APIRouter | None:
    """The console's router when the console package is installed, else None."""
    try:
        console = importlib.import_module(CONSOLE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and CONSOLE_MODULE.startswith(exc.name):
            return None
        raise
    build = getattr(console, "build_router", None)
    if build is not None:
        return build(settings)
    return getattr(console, "router", None)


def _service_routers() -> list[APIRouter]:
    """The service's own API (kabuto.service.api), when present."""
    try:
        api = importlib.import_module("kabuto.service.api")
    except ModuleNotFoundError as exc:
        if exc.name == "kabuto.service.api":
            return []
        raise
    return list(api.routers())


def create_app(
    settings: ServiceSettings,
    routers: Sequence[APIRouter] = (),
    *,
    include_console: bool = True,
) -> FastAPI:
    """The Kabuto service app for `settings` (see the module docstring)."""
    database = open_database(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        workers = []
        with contextlib.suppress(ModuleNotFoundError):
            background = importlib.import_module("kabuto.service.background")
            workers = background.start(app)
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            database.engine.dispose()

    app = FastAPI(
        title="Kabuto service",
        version="1",
        description="Index and operator API of the Kabuto security-token platform "
        "(docs/service.md). Every endpoint but /health needs an API token of a role.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.tokens = TokenStore(settings.role_tokens_file)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, object]:
        return {"status": "ok", "database": database.dialect}

    @app.get("/whoami", tags=["service"])
    def whoami(who: Annotated[Principal, Depends(current_principal)]) -> dict[str, object]:
        return {
            "name": who.name,
            "role": who.role.value,
            "sees_personal_data": who.sees_personal_data,
        }

    for router in _service_routers():
        app.include_router(router)
    for router in routers:
        app.include_router(router)
    if include_console:
        found = console_router(settings)
        if found is not None:
            app.include_router(found)
    return app
