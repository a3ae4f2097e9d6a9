"""One benchmark run: its own anvil, every peer and job on it in turn, the results written."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kabuto.bench.context import BenchContext
from kabuto.bench.model import BenchError, Results, RunInfo
from kabuto.bench.registry import (
    Peer,
    ThroughputJob,
    peer_named,
    peers,
    run_job,
    run_peer,
    throughput_jobs,
)
from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import AnvilNode

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
# Ape's `local` network signs for chain id 1337; the bench's anvil answers to the same id.
APE_LOCAL_CHAIN_ID = 1337
# The rules docs/performance.md's published figures were taken under (anvil 1.7.1 default).
DEFAULT_HARDFORK = "prague"


@dataclass(frozen=True)
class BenchConfig:
    """What to run.

    Args:
        hardfork: the anvil hardfork (gas rules) of the benchmark chain.
        peers: peer names to measure; empty for all.
        throughput: run the throughput jobs too.
        out_dir: where latest.json and latest.md go.
        investors, transfers: the throughput jobs' scale (docs/performance.md's by default; a target is
            only judged at that scale, see kabuto.bench.targets).
    """

    hardfork: str = DEFAULT_HARDFORK
    peers: tuple[str, ...] = ()
    throughput: bool = True
    out_dir: Path = RESULTS_DIR
    investors: int = 10_000
    transfers: int = 100_000

    def selected_peers(self) -> tuple[Peer, ...]:
        return tuple(peer_named(n) for n in self.peers) if self.peers else peers()

    def selected_jobs(self) -> tuple[ThroughputJob, ...]:
        return throughput_jobs() if self.throughput else ()


def git_commit() -> str:
    """The short commit of the checkout, marked ``-dirty`` with uncommitted changes."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}-dirty" if dirty else sha


def compiled_evm_target(project: Any) -> str:
    """The EVM target the project's contracts were compiled for."""
    for compiler in project.manifest.compilers or []:
        target = (compiler.settings or {}).get("evmVersion")
        if target:
            return str(target)
    return os.environ.get("KABUTO_EVM_VERSION", "unknown")


def run_info(ctx: BenchContext, hardfork: str) -> RunInfo:
    provider = ctx.chain.provider
    return RunInfo(
        client=str(provider.web3.client_version),
        chain_id=int(ctx.chain.chain_id),
        hardfork=hardfork,
        evm_target=compiled_evm_target(ctx.project),
        started_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        git_commit=git_commit(),
    )


def measure_all(ctx: BenchContext, config: BenchConfig, hardfork: str) -> Results:
    """Runs the selected peers and jobs on the chain ``ctx`` is connected to."""
    started = time.monotonic()
    from kabuto.bench import service_bench

    selected, jobs = config.selected_peers(), config.selected_jobs()
    # the service's keys (issue 17) are measured on the throughput jobs' population, after them
    after_jobs = (service_bench.PEER,) if jobs else ()
    results = Results(
        info=run_info(ctx, hardfork),
        gas_keys=[key for peer in selected for key in peer.keys]
        + [k for peer in after_jobs for k in peer.keys if k not in service_bench.TIME_KEYS],
        time_keys=[job.key for job in jobs]
        + [k for _ in after_jobs for k in service_bench.TIME_KEYS],
    )
    for peer in selected:
        for outcome in run_peer(peer, ctx):
            results.add(outcome)
    for job in jobs:
        results.add(run_job(job, ctx))
    for peer in after_jobs:
        for outcome in run_peer(peer, ctx):
            results.add(outcome)
    if results.missing():
        raise BenchError(f"no outcome for {results.missing()}")
    results.info.duration_s = time.monotonic() - started
    return results


@contextmanager
def bench_chain(hardfork: str) -> Iterator[Any]:
    """Starts the benchmark's own anvil and connects Ape to it; stops it afterwards."""
    from ape import networks

    # Gas price 0 as on the platform's Quorum/Besu networks: gas *used* does not depend on the
    # price, and legacy transactions (KABUTO_EVM_VERSION=berlin) then never fall below a base fee.
    with AnvilNode(chain_id=APE_LOCAL_CHAIN_ID, hardfork=hardfork, gas_free=True) as node:
        with networks.parse_network_choice(
            "ethereum:local:node", provider_settings={"uri": node.url}
        ) as provider:
            yield provider


def run(config: BenchConfig) -> Results:
    """The whole benchmark on a fresh anvil: measures, then writes latest.json and latest.md."""
    from ape import accounts, chain, project

    with bench_chain(config.hardfork):
        ctx = BenchContext(
            project=project,
            accounts=accounts.test_accounts,
            chain=chain,
            scale_investors=config.investors,
            scale_transfers=config.transfers,
        )
        return measure_all(ctx, config, config.hardfork)
