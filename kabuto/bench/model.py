"""What one benchmark run produces: a measured value or an honest "not measured yet" per key."""

from __future__ import annotations

from dataclasses import dataclass, field


class BenchError(RuntimeError):
    """A measurement could not be taken, or an operation did not do what it was measured for."""


@dataclass(frozen=True)
class GasMeasurement:
    """Gas from the receipts of every transaction one operation needs.

    Args:
        key: the result key, ``<peer>.<operation>`` (e.g. ``trex.transfer.new_holder``).
        gas: the sum of ``gas_used`` over the receipts.
        txs: how many transactions the operation took.
        note: what exactly was measured, when the key alone does not say it.
    """

    key: str
    gas: int
    txs: int = 1
    note: str = ""


@dataclass(frozen=True)
class TimeMeasurement:
    """Wall time of a throughput job on the benchmark's anvil, with what it sent.

    ``at_target_scale`` is False for a run at another scale than docs/performance.md's (e.g.
    ``--investors 2000``): its time is reported but no target is judged on it.
    """

    key: str
    seconds: float
    txs: int
    gas: int
    note: str = ""
    at_target_scale: bool = True


@dataclass(frozen=True)
class RateMeasurement:
    """A number that is neither gas nor a job's wall time (orders per second, microseconds),
    with its unit."""

    key: str
    value: float
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Pending:
    """A key the run could not measure yet, and why (never a number standing in for one)."""

    key: str
    reason: str


Outcome = GasMeasurement | TimeMeasurement | RateMeasurement | Pending


@dataclass
class RunInfo:
    """Where the numbers come from: the same chain for every peer, in one run."""

    client: str
    chain_id: int
    hardfork: str
    evm_target: str
    started_at: str
    git_commit: str
    duration_s: float = 0.0


@dataclass
class Results:
    """Every outcome of one run, by key.

    Args:
        gas_keys: the gas keys the run answers for, in report order.
        time_keys: the throughput keys (seconds), in report order.
    """

    info: RunInfo
    gas_keys: list[str]
    time_keys: list[str]
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        if outcome.key not in self.gas_keys and outcome.key not in self.time_keys:
            raise BenchError(f"key {outcome.key!r} is not declared by any peer or job")
        if outcome.key in self.outcomes:
            raise BenchError(f"key {outcome.key!r} measured twice in one run")
        self.outcomes[outcome.key] = outcome

    def missing(self) -> list[str]:
        """Declared keys without any outcome (a run must leave none)."""
        return [k for k in self.gas_keys + self.time_keys if k not in self.outcomes]

    def gas(self, key: str) -> int | None:
        outcome = self.outcomes.get(key)
        return outcome.gas if isinstance(outcome, GasMeasurement) else None

    def seconds(self, key: str) -> float | None:
        outcome = self.outcomes.get(key)
        return outcome.seconds if isinstance(outcome, TimeMeasurement) else None
