"""Counters of the property run, printed in the test session's summary (see conftest.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def setting(name: str, default: int) -> int:
    """An integer run setting from the environment (KABUTO_PBT_EXAMPLES, KABUTO_PBT_STEPS)."""
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: give a whole number, e.g. {name}={default}") from None
    if value < 1:
        raise ValueError(f"{name}={value}: must be at least 1")
    return value


@dataclass
class RunStats:
    examples: int = 0
    steps: int = 0
    refusals_checked: int = 0
    transactions: int = 0
    calls: int = 0
    seconds: float = 0.0
    # operation -> [sent and succeeded, refused as predicted]
    rules: dict[str, list[int]] = field(default_factory=dict)

    # predicted refusal reason -> count
    reasons: dict[str, int] = field(default_factory=dict)

    def count_reason(self, reason: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def count_rule(self, name: str, refused: bool = False) -> None:
        self.rules.setdefault(name, [0, 0])[refused] += 1


STATS = RunStats()
