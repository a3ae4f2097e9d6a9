"""The console's plumbing: Jinja2 templates with the formatting filters, the signed-in
viewer (a role API token kept in an HttpOnly cookie), and rendering a page in the viewer's
language."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from kabuto.console import formatting
from kabuto.console.access import NAV, may_open, sees_personal_data
from kabuto.console.i18n import LANG_COOKIE, Words, language
from kabuto.service.auth import COOKIE, Principal, Role, TokenStore

HERE = Path(__file__).resolve().parent
PREFIX = "/console"

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters.update(
    number=formatting.number,
    yen=formatting.yen,
    jst_day=formatting.jst_day,
    jst_time=formatting.jst_time,
    short=formatting.short,
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking, in which language."""

    principal: Principal
    lang: str

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def sees_personal_data(self) -> bool:
        return sees_personal_data(self.role)

    def may(self, page: str) -> bool:
        return may_open(self.role, page)


def principal_of(request: Request, token: str) -> Principal | None:
    store: TokenStore = request.app.state.tokens
    return store.principal(token) if token else None


def viewer(request: Request) -> Viewer:
    """FastAPI dependency: the signed-in viewer (else the login page)."""
    found = principal_of(request, request.cookies.get(COOKIE, "").strip())
    if found is None:  # to the login page, and back here after it
        back = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        raise HTTPException(
            303, "log in first", headers={"Location": f"{PREFIX}/login?next={back}"}
        )
    return Viewer(found, language(request.cookies.get(LANG_COOKIE)))


def page_viewer(page: str):
    """FastAPI dependency for one page: the viewer, or 403 for a role not allowed there."""

    def dependency(request: Request) -> Viewer:
        who = viewer(request)
        if not who.may(page):
            raise HTTPException(403, Words(who.lang)("not_allowed"))
        return who

    return dependency


def render(
    request: Request, who: Viewer | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    lang = who.lang if who else language(request.cookies.get(LANG_COOKIE))
    context.update(
        request=request,
        who=who,
        t=Words(lang),
        lang=lang,
        nav=[p for p in NAV if who and who.may(p)],
        prefix=PREFIX,
    )
    context.setdefault("now", int(time.time()))
    return templates.TemplateResponse(request, template, context, status_code=status)


PAGE_ERRORS = (403, 404, 409, 422)


class ConsoleRoute(APIRoute):
    """A console route whose refusals (403, 404, ...) a browser sees as a page in the
    viewer's language, with the menu, instead of the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except HTTPException as exc:
                wants_page = "text/html" in request.headers.get("accept", "")
                if exc.status_code not in PAGE_ERRORS or not wants_page:
                    raise
                who: Viewer | None
                try:
                    who = viewer(request)
                except HTTPException:
                    who = None
                return render(
                    request, who, "error.html", status=exc.status_code, detail=str(exc.detail)
                )

        return handler
