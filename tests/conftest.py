"""Accounts named by the role they play on the platform, shared by every test."""

import functools
import json
import os
from pathlib import Path

import pytest


def _forget_dead_ape_nodes() -> None:
    """Ape records every local node it starts in DATA_FOLDER/processes/nodes.json and, when any
    Ape process disconnects, builds a provider's settings for every entry to find its own. A
    process killed by a test (or an interrupted run) never removes its entry, so the file grows
    run after run: with 300 dead entries each Ape process spent ~14 s of CPU on it (most of a
    short test run). Entries whose process is gone are dropped before the run starts; a live
    node is never touched."""
    folder = Path(os.environ.get("APE_DATA_FOLDER") or Path.home() / ".ape")
    path = folder / "processes" / "nodes.json"
    try:
        data = json.loads(path.read_text())
        nodes = data["nodes"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    alive = {pid: node for pid, node in nodes.items() if Path(f"/proc/{pid}").exists()}
    if len(alive) == len(nodes):
        return
    scratch = path.with_name(f"nodes.json.{os.getpid()}")
    scratch.write_text(json.dumps({**data, "nodes": alive}))
    os.replace(scratch, path)


_forget_dead_ape_nodes()


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def outsider(accounts):
    """An account that holds no role anywhere."""
    return accounts[9]


_SUMMARY_LINES: list[str] = []


@pytest.fixture(scope="session")
def suite_summary():
    """Append a line (matrix cells, analysed contracts, property steps, gas) to the summary
    printed at the end of the run, whatever pytest captures."""
    return _SUMMARY_LINES.append


def pytest_sessionfinish(session):
    """Under pytest-xdist (`make test` runs two workers) each worker hands its summary lines to
    the controller, which prints them all."""
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output["kabuto_summary"] = list(_SUMMARY_LINES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _SUMMARY_LINES.extend(getattr(node, "workeroutput", {}).get("kabuto_summary", []))


def pytest_terminal_summary(terminalreporter):
    if _SUMMARY_LINES:
        terminalreporter.section("kabuto assurance summary")
        for line in _SUMMARY_LINES:
            terminalreporter.write_line(line)


def _revert_without_trace_printout() -> None:
    """Ape's foundry provider fetches and prints the whole call trace of every reverted
    transaction (seconds each with anvil's step tracing). The suite checks hundreds of refusals,
    so tests keep the error (and its custom-error decoding, which `ape.reverts` asserts on)
    and skip the printout. Nothing else about the provider changes."""
    from ape.exceptions import ContractLogicError, TransactionError
    from ape_foundry.provider import FoundryProvider

    def handle_execution_reverted(self, exception, revert_message=None, **kwargs):
        if not revert_message or revert_message == "0x":
            revert_message = TransactionError.DEFAULT_MESSAGE
        if revert_message.startswith("revert: "):
            revert_message = revert_message[len("revert: ") :]
        error = ContractLogicError(base_err=exception, revert_message=revert_message, **kwargs)
        return self.compiler_manager.enrich_error(error)

    FoundryProvider._handle_execution_reverted = handle_execution_reverted


_revert_without_trace_printout()


def _decode_nested_errors_without_step_traces() -> None:
    """When a custom error comes from a contract called by the one the test called (the token
    refusing inside a settlement), Ape finds that contract by replaying anvil's step-by-step
    trace: many seconds per refusal. Anvil's call tracer names the same contract at once, so
    the error is decoded exactly as before, from the same contract and address, only faster.
    Falls back to Ape's own way when the call tracer does not answer."""
    from ape_ethereum.ecosystem import Ethereum

    original = Ethereum.decode_custom_error

    def reverting_callee(provider, tx_hash: str, data: str) -> str | None:
        frame = provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
        found = None
        stack = [frame]
        while stack:
            call = stack.pop()
            if call.get("error") and (call.get("output") or "").lower() == data.lower():
                found = call.get("to")  # deeper frames are visited later and win
            stack.extend(call.get("calls") or [])
        return found

    def decode_custom_error(self, data, address, **kwargs):
        light = {k: v for k, v in kwargs.items() if k not in ("txn", "trace")}
        error = original(self, data, address, **light)
        tx = kwargs.get("txn")
        if error is not None or tx is None:
            return error
        try:
            data_hex = data.hex() if isinstance(data, bytes) else str(data)
            data_hex = data_hex if data_hex.startswith("0x") else f"0x{data_hex}"
            tx_hash = tx.txn_hash.hex() if isinstance(tx.txn_hash, bytes) else str(tx.txn_hash)
            tx_hash = tx_hash if tx_hash.startswith("0x") else f"0x{tx_hash}"
            callee = reverting_callee(self.provider, tx_hash, data_hex)
        except Exception:  # the call tracer did not answer: Ape's own (slower) way
            return original(self, data, address, **kwargs)
        if callee and callee.lower() != str(address).lower():
            from eth_utils import to_checksum_address

            return original(self, data, to_checksum_address(callee), **light)
        return original(self, data, address, **kwargs)

    Ethereum.decode_custom_error = decode_custom_error


_decode_nested_errors_without_step_traces()


def _network_classes_made_once() -> None:
    """Ape (0.8) rebuilds the networks of ape-config.yaml (privnet, besu and their forks) on
    every look-up, and each rebuild defines a new pydantic model class per network
    (ape.api.networks.create_network_type). Every transaction asks for the default
    transaction type, so each paid ~10-20 ms of CPU for four class definitions. The class
    depends only on its arguments, so it is defined once per (chain id, network id, fork);
    the networks themselves are still built from the config on every look-up, as before."""
    from ape.api import networks as ape_networks

    ape_networks.create_network_type = functools.cache(ape_networks.create_network_type)


_network_classes_made_once()


# The longest test files first (wall seconds of a run, longest first): `make test` runs with
# pytest-xdist --dist loadfile --no-loadscope-reorder, so a worker takes whole files in this
# order and the short files at the end even out the two workers. xdist's own order (most
# tests first) left single-test runs of 40-90 s (slither, the demo, the fault test) for
# last, with one core idle while the other finished them. A file missing here only runs
# in collection order after these; the order changes no test.
HEAVY_FIRST = (
    "tests/service/test_service.py",
    "tests/integration/test_by_hand.py",
    "tests/console/test_console.py",
    "tests/assurance/test_static_analysis.py",
    "tests/integration/test_venue_day.py",
    "tests/unit/token/test_differential.py",
    "tests/integration/test_demo.py",
    "tests/faults/test_kill_and_resume.py",
    "tests/property/test_platform_state_machine.py",
    "tests/unit/bench/test_venue_bench.py",
    "tests/unit/token/test_approvals_locks.py",
    "tests/unit/corporate/test_coupon_schedule.py",
    "tests/integration/test_payment_jobs.py",
    "tests/integration/test_operator_jobs.py",
    "tests/unit/bench/test_peers.py",
    "tests/integration/test_trading_jobs.py",
    "tests/property/test_money_state_machine.py",
    "tests/unit/corporate/test_interest.py",
    "tests/unit/settlement/test_dvp_rules.py",
    "tests/toolchain/test_solc_frontend.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Under xdist, every worker orders the files the same way (HEAVY_FIRST, then the
    collection order); tests inside a file keep their order."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rank = {name: number for number, name in enumerate(HEAVY_FIRST)}
    root = Path(config.rootpath)

    def cost_rank(item: pytest.Item) -> int:
        try:
            name = Path(item.path).relative_to(root).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(name, len(rank))

    items.sort(key=cost_rank)
