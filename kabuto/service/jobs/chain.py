"""Ape, connected once per service process to the configured network, and one lock for
every use of it (Ape's provider is process-wide: jobs and submission checks take turns)."""

from __future__ import annotations

import threading
from typing import Any

from kabuto.service.settings import ServiceSettings

CHAIN_LOCK = threading.RLock()
_connected: dict[str, Any] = {}


def ensure_connected(settings: ServiceSettings) -> None:
    """Connects Ape to settings.network at settings.node_url() (once)."""
    with CHAIN_LOCK:
        if "context" in _connected:
            return
        import os

        from ape import networks

        from kabuto.ops.cli import quiet_ape

        url = settings.node_url()
        if "privnet" in settings.network:
            os.environ["KABUTO_PRIVNET_RPC_URL"] = url
        context = networks.parse_network_choice(settings.network, provider_settings={"uri": url})
        context.__enter__()
        quiet_ape()
        _connected["context"] = context


def account(settings: ServiceSettings, role: str) -> Any:
    """The Ape account signing as `role` (alias from the settings; test accounts locally)."""
    from kabuto.ops.accounts import account_for

    return account_for(role, settings.accounts.get(role))
