"""API tokens bound to platform roles.

Each API token belongs to one role (registrar, issuer, agent, compliance, paying_agent,
auditor); an endpoint declares the roles it admits with :func:`require_role` and refuses any
other token with 403 (no token or an unknown one: 401). The tokens file keeps only each
token's SHA-256 digest::

    {"tokens": [{"name": "issuer-ops", "role": "issuer", "sha256": "9f86d0..."}]}

:func:`add_token` creates a token, stores its digest and returns it (shown once). A request
carries its token as ``Authorization: Bearer <token>`` or, for the browser console, in the
``kabuto_token`` cookie. Personal data (names, addresses) is decrypted only for the issuer
and auditor roles (:attr:`Principal.sees_personal_data`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from kabuto.errors import KabutoError

COOKIE = "kabuto_token"


class Role(StrEnum):
    REGISTRAR = "registrar"
    ISSUER = "issuer"
    AGENT = "agent"
    COMPLIANCE = "compliance"
    PAYING_AGENT = "paying_agent"
    AUDITOR = "auditor"


ALL_ROLES = tuple(Role)
# The roles that see names and addresses (decrypted on the server with the issuer key file).
PERSONAL_DATA_ROLES = frozenset({Role.ISSUER, Role.AUDITOR})


class TokenFileError(KabutoError):
    pass


class TokenEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: Role
    sha256: str


class TokenFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokens: list[TokenEntry] = []


class Principal(BaseModel):
    """Who calls: the token's name and role."""

    model_config = ConfigDict(frozen=True)

    name: str
    role: Role

    @property
    def sees_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_tokens(path: Path) -> TokenFile:
    """The tokens file (an empty one if it does not exist)."""
    if not path.exists():
        return TokenFile()
    try:
        return TokenFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise TokenFileError(f"{path} is not a Kabuto role tokens file: {exc}") from exc


def add_token(path: Path, role: Role | str, name: str) -> str:
    """Creates a token for `role`, stores its digest in `path` (atomically, mode 0600) and
    returns the token itself (it is not kept anywhere else)."""
    role = Role(role)
    token = f"kbt_{role.value}_{secrets.token_urlsafe(24)}"
    current = load_tokens(path)
    current.tokens.append(TokenEntry(name=name, role=role, sha256=digest(token)))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(current.model_dump_json(indent=2) + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return token


class TokenStore:
    """The tokens file in memory, re-read when it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._by_digest: dict[str, TokenEntry] = {}

    def _refresh(self) -> None:
        stamp = self.path.stat().st_mtime if self.path.exists() else None
        if stamp != self._stamp or not self._by_digest:
            self._by_digest = {t.sha256: t for t in load_tokens(self.path).tokens}
            self._stamp = stamp

    def principal(self, token: str) -> Principal | None:
        self._refresh()
        wanted = digest(token)
        for known, entry in self._by_digest.items():
            if hmac.compare_digest(known, wanted):
                return Principal(name=entry.name, role=entry.role)
        return None


def _presented(request: Request, authorization: str | None) -> str:
    if authorization and authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ").strip()
    return request.cookies.get(COOKIE, "").strip()


def current_principal(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    """The caller (401 without a known token)."""
    token = _presented(request, authorization)
    store: TokenStore = request.app.state.tokens
    found = store.principal(token) if token else None
    if found is None:
        raise HTTPException(
            401,
            "no valid API token: send Authorization: Bearer <token> "
            "(make one: python -m kabuto.service token --role ROLE)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found


def require_role(*roles: Role | str) -> Callable[..., Principal]:
    """A FastAPI dependency admitting only tokens of `roles` (403 for another role, 401 for
    none); it returns the :class:`Principal`. Use: ``who: Principal = Depends(require_role(
    Role.ISSUER, Role.AUDITOR))`` or in ``dependencies=[...]``."""
    allowed = frozenset(Role(r) for r in roles)

    def dependency(who: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if who.role not in allowed:
            raise HTTPException(
                403,
                f"the {who.role.value} role may not do this; allowed: "
                f"{', '.join(sorted(r.value for r in allowed))}",
            )
        return who

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the role matrix
    return dependency
