"""The measurement registry: every peer and throughput job the benchmark knows, and their keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kabuto.bench.context import BenchContext
from kabuto.bench.model import BenchError, Outcome, Pending


@dataclass(frozen=True)
class Peer:
    """A system measured side by side with the others.

    Args:
        name: the key prefix (``erc20``, ``trex``, ``kabuto``).
        title: the column heading in the report.
        keys: every key ``measure`` returns, each exactly once (measured or pending).
        measure: deploys what the peer needs on the connected chain and measures it.
    """

    name: str
    title: str
    keys: tuple[str, ...]
    measure: Callable[[BenchContext], Iterable[Outcome]]


@dataclass(frozen=True)
class ThroughputJob:
    """A wall-time job on the benchmark's anvil (key under ``time_s`` in the results)."""

    key: str
    title: str
    run: Callable[[BenchContext], Outcome]


def run_peer(peer: Peer, ctx: BenchContext) -> list[Outcome]:
    """Runs one peer and checks it answered for exactly the keys it declares."""
    outcomes = list(peer.measure(ctx))
    returned = [o.key for o in outcomes]
    if sorted(returned) != sorted(peer.keys):
        missing = sorted(set(peer.keys) - set(returned))
        extra = sorted(set(returned) - set(peer.keys))
        raise BenchError(
            f"peer {peer.name!r} answered wrong keys: missing {missing}, unexpected {extra}"
        )
    return outcomes


def run_job(job: ThroughputJob, ctx: BenchContext) -> Outcome:
    outcome = job.run(ctx)
    if outcome.key != job.key:
        raise BenchError(f"throughput job {job.key!r} answered for {outcome.key!r}")
    return outcome


def pending_all(keys: Iterable[str], reason: str) -> list[Outcome]:
    """Every key marked as not measured, with the same reason."""
    return [Pending(key=key, reason=reason) for key in keys]


def peers() -> tuple[Peer, ...]:
    """The peers in report order: the floors first, Kabuto last."""
    from kabuto.bench import venue
    from kabuto.bench.peers import erc20, floor, kabuto, trex

    return (erc20.PEER, floor.PEER, trex.PEER, kabuto.PEER, venue.PEER)


def throughput_jobs() -> tuple[ThroughputJob, ...]:
    from kabuto.bench import throughput

    return throughput.JOBS


def peer_named(name: str) -> Peer:
    for peer in peers():
        if peer.name == name:
            return peer
    known = ", ".join(p.name for p in peers())
    raise BenchError(f"no peer named {name!r}; known peers: {known}")
