"""The service process's connection to the chain through Ape, for what the console does with
the operator code (kabuto.ops): the register download. Made once, on first use: to the
node at ``settings.rpc_url`` when given (Ape's plain ``node`` provider, nothing started),
else to ``settings.network``."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kabuto.service.settings import ServiceSettings

_lock = threading.Lock()
_context: list[Any] = []


def ensure_connected(settings: ServiceSettings) -> None:
    from ape import networks

    with _lock:
        if networks.active_provider is not None and networks.active_provider.is_connected:
            return
        if settings.rpc_url:
            ecosystem, network = (settings.network.split(":") + ["local"])[:2]
            choice = f"{ecosystem}:{network}:node"
            context = networks.parse_network_choice(
                choice, provider_settings={"uri": settings.rpc_url}
            )
        else:
            context = networks.parse_network_choice(settings.network)
        context.__enter__()
        _context.append(context)


def connected_platform(settings: ServiceSettings) -> tuple[Any, str]:
    """(Platform, issuer address) of the connected chain."""
    from kabuto.ops.accounts import address_of
    from kabuto.ops.chain import load_platform

    ensure_connected(settings)
    directory = settings.manifest_path.parent if settings.manifest_path else Path("deployments")
    return load_platform(directory), settings.issuer or address_of("issuer", None)
