"""A local chain with the demo's state, for `make serve` and the service tests: a gas-free
anvil (chain id 2017, like `make privnet`) on a free loopback port, keeping its state in a
file, with the whole `make demo` lifecycle run on it (kabuto.ops.demo)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import AnvilNode, privnet_node

PRIVNET = "ethereum:privnet:node"


@dataclass
class DemoWorld:
    node: AnvilNode
    folder: Path
    head: int = -1  # the chain's last block when the world was made (tests add blocks after)

    @property
    def deployments(self) -> Path:
        return self.folder / "deployments"

    @property
    def keys(self) -> Path:
        return self.folder / "keys"

    @property
    def manifest(self) -> Path:
        return self.deployments / f"{self.node.chain_id}.json"


def connect(url: str):  # type: ignore[no-untyped-def]
    """Ape connected to the gas-free chain at `url` (a context manager)."""
    from ape import networks

    os.environ["KABUTO_PRIVNET_RPC_URL"] = url
    return networks.parse_network_choice(PRIVNET, provider_settings={"uri": url})


def start_demo_world(folder: Path, echo=lambda _: None, run_demo: bool = True) -> DemoWorld:  # type: ignore[no-untyped-def]
    """Starts the node (state in `folder`/anvil-state.json) and, if it has no manifest yet,
    runs the demo on it; a second call on the same folder reuses the chain."""
    folder.mkdir(parents=True, exist_ok=True)
    node = privnet_node(state_file=folder / "anvil-state.json").start()
    world = DemoWorld(node, folder)
    if run_demo and not world.manifest.exists():
        from kabuto.ops.demo import run_demo as demo

        with connect(node.url):
            demo(
                PROJECT_ROOT / "examples",
                folder / "registers",
                world.deployments,
                world.keys,
                echo,
            )
    world.head = block_number(node.url)
    return world


def block_number(url: str) -> int:
    import requests

    answer = requests.post(
        url,
        json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
        timeout=10,
    )
    return int(answer.json()["result"], 16)
