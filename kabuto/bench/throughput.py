"""Throughput on the benchmark's anvil: wall time of the jobs targets.md sets limits for.

Both jobs need the Kabuto registry and token (and the register export tooling); until those
are in the project they report pending, never a number.
"""

from __future__ import annotations

from kabuto.bench.context import BenchContext
from kabuto.bench.model import Outcome
from kabuto.bench.peers.kabuto import REGISTRY, TOKEN, pending_until_wired
from kabuto.bench.registry import ThroughputJob

INVESTORS = 10_000
TRANSFERS = 100_000
ISSUE_KEY = "issue_10k_investors"
EXPORT_KEY = "register_export_10k_holders_100k_transfers"


def issue_to_investors(ctx: BenchContext) -> Outcome:
    """Onboard and allot to 10,000 investors: wall time, transactions, gas."""
    where = "kabuto/bench/throughput.py issue_to_investors"
    return pending_until_wired(ctx, (ISSUE_KEY,), (REGISTRY, TOKEN), where)[0]


def export_register(ctx: BenchContext) -> Outcome:
    """Register export of a token with 10,000 holders after 100,000 transfers: wall time."""
    where = "kabuto/bench/throughput.py export_register"
    return pending_until_wired(ctx, (EXPORT_KEY,), (REGISTRY, TOKEN), where)[0]


JOBS = (
    ThroughputJob(ISSUE_KEY, f"onboard + issue to {INVESTORS:,} investors", issue_to_investors),
    ThroughputJob(EXPORT_KEY, f"register export, {INVESTORS:,} holders after {TRANSFERS:,} transfers",
                  export_register),
)
