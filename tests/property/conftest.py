"""Prints what the property run did (examples, steps, refusals checked) at the end of the session."""

from __future__ import annotations

from property.run_stats import STATS


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 (pytest hook)
    if STATS.examples == 0:
        return
    rules = ", ".join(
        f"{name} {ok}/{refused}" for name, (ok, refused) in sorted(STATS.rules.items())
    )
    terminalreporter.write_sep("-", "kabuto property-based run")
    terminalreporter.write_line(
        f"kabuto property steps: {STATS.steps} steps in {STATS.examples} examples, "
        f"{STATS.refusals_checked} predicted refusals confirmed by eth_call, "
        f"{STATS.transactions} transactions, {STATS.calls} calls, {STATS.seconds:.1f} s"
    )
    reasons = ", ".join(f"{name} {count}" for name, count in sorted(STATS.reasons.items()))
    terminalreporter.write_line(f"kabuto property refusals by reason: {reasons}")
    terminalreporter.write_line(f"kabuto property operations (succeeded/refused): {rules}")
