"""The console's router: the pages, the static files and the entry redirect."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse, Response

from kabuto.console.pages import corporate, investors, jobs, login, queues, tokens
from kabuto.console.web import HERE, PREFIX, ConsoleRoute

STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


def console_router() -> APIRouter:
    router = APIRouter(
        prefix=PREFIX, tags=["console"], include_in_schema=False, route_class=ConsoleRoute
    )

    @router.get("")
    @router.get("/")
    def home() -> Response:
        return RedirectResponse(PREFIX + "/tokens", status_code=303)

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, name)
        return FileResponse(HERE / "static" / name, media_type=STATIC[name])

    for page in (login, tokens, queues, investors, corporate, jobs):
        router.include_router(page.router)
    return router
