"""Fixtures of the console tests: one chain, one service process and one browser per
module (console_support.py has the helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ape import networks
from console_support import (
    CHAIN_ID,
    CHROMIUM,
    SCREENSHOTS,
    Console,
    populate,
    start_service,
    stop_process,
)

from kabuto.localchain import AnvilNode


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    base = tmp_path_factory.mktemp("console")
    node = AnvilNode(chain_id=CHAIN_ID, gas_free=True).start()
    try:
        with networks.parse_network_choice(
            "ethereum:privnet:node", provider_settings={"uri": node.url}
        ):
            deployments, keys, applications = populate(base)
        running = start_service(base, node, deployments, keys)
        running.applications = applications
        try:
            running.wait_indexed()
            yield running
        finally:
            stop_process(running.process)
    finally:
        node.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make setup` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
