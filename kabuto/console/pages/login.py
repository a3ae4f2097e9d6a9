"""Logging in with a role's API token (kept in an HttpOnly, SameSite=Strict cookie, so a
form on another site cannot act with it), logging out, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kabuto.console.i18n import LANG_COOKIE, language
from kabuto.console.web import PREFIX, ConsoleRoute, principal_of, render
from kabuto.service.auth import COOKIE

router = APIRouter(route_class=ConsoleRoute)
YEAR = 365 * 86_400


def _safe_next(target: str | None) -> str:
    """Only a console path (no open redirect)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        return target
    return PREFIX + "/tokens"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, None, "login.html", next=_safe_next(next), error=False)


@router.post("/login")
def login(
    request: Request, token: Annotated[str, Form()], next: Annotated[str, Form()] = ""
) -> Response:
    if principal_of(request, token.strip()) is None:
        return render(request, None, "login.html", status=401, next=_safe_next(next), error=True)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/lang/{lang}")
def switch_language(lang: str, back: str | None = None) -> Response:
    response = RedirectResponse(_safe_next(back), status_code=303)
    response.set_cookie(LANG_COOKIE, language(lang), max_age=YEAR, samesite="lax", path="/")
    return response
