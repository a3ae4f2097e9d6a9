"""The issuer's console: server-rendered pages on the service's index (docs/console.md).

The service (kabuto.service.app.create_app) includes :func:`build_router`: every page is
under ``/console``, signed in with a role's API token, in Japanese or English.
"""

from __future__ import annotations

from typing import Any


def build_router(settings: Any = None) -> Any:
    from kabuto.console.routes import console_router

    return console_router()
