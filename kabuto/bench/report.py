"""The results as JSON (bench/results/latest.json) and as a markdown table (latest.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kabuto.bench.model import GasMeasurement, Pending, RateMeasurement, Results, TimeMeasurement
from kabuto.bench.targets import FLOOR_PEER, OPERATIONS, PUBLISHED, PUBLISHED_PEERS, TARGETS, Kind

PEER_COLUMNS = {
    "erc20": "plain OZ ERC-20",
    "floor": "floor (TransferFloor, IssueFloor)",
    "trex": "ERC-3643 T-REX 4.1.6",
    "kabuto": "Kabuto",
}


def floor_key(key: str) -> str:
    """The floor peer's key for the same operation (absent from the results if not measured)."""
    _, _, suffix = key.partition(".")
    return f"{FLOOR_PEER}.{suffix}"


def ratio_to_floor(results: Results, key: str) -> float | None:
    gas, floor = results.gas(key), results.gas(floor_key(key))
    if gas is None or not floor or key.startswith(f"{FLOOR_PEER}."):
        return None
    return gas / floor


def to_json(results: Results) -> dict[str, Any]:
    outcomes = results.outcomes
    return {
        "run": asdict(results.info),
        "gas": {
            k: results.gas(k)
            for k in results.gas_keys
            if not isinstance(results.outcomes.get(k), RateMeasurement)
        },
        "values": {
            k: {"value": o.value, "unit": o.unit}
            for k, o in outcomes.items()
            if isinstance(o, RateMeasurement)
        },
        "txs": {
            k: o.txs for k, o in outcomes.items() if isinstance(o, GasMeasurement | TimeMeasurement)
        },
        "ratio_to_erc20": {
            k: round(r, 4)
            for k in results.gas_keys
            if (r := ratio_to_floor(results, k)) is not None
        },
        "time_s": {k: results.seconds(k) for k in results.time_keys},
        "throughput_gas": {k: o.gas for k, o in outcomes.items() if isinstance(o, TimeMeasurement)},
        "pending": {k: o.reason for k, o in outcomes.items() if isinstance(o, Pending)},
        "notes": {k: o.note for k, o in outcomes.items() if not isinstance(o, Pending) and o.note},
        "targets": [
            {
                "title": t.title,
                "key": t.key,
                "kind": t.kind.value,
                "limit": t.limit,
                "inclusive": t.inclusive,
                "value": t.value(results) if t.kind is not Kind.OUTSIDE else None,
                "status": t.status(results).value,
            }
            for t in TARGETS
        ],
        "published": {
            op: {peer: p.gas for peer, p in figures.items()} for op, figures in PUBLISHED.items()
        },
    }


def _gas_cell(results: Results, key: str) -> str:
    outcome = results.outcomes.get(key)
    if outcome is None:
        return "-"
    if isinstance(outcome, Pending):
        return "pending"
    assert isinstance(outcome, GasMeasurement)
    cell = f"{outcome.gas:,}"
    if outcome.txs > 1:
        cell += f" ({outcome.txs} txs)"
    ratio = ratio_to_floor(results, key)
    return f"{cell}, {ratio:.2f}x" if ratio is not None else cell


def _value_text(kind: Kind, value: float | None, results: Results, key: str) -> str:
    if value is None:
        return "-"
    if kind is Kind.RATIO_TO_FLOOR:
        return f"{value:.4f}x ({results.gas(key):,} gas)"
    if kind is Kind.GAS:
        return f"{value:,.0f} gas"
    return f"{value:.1f} s"


def to_markdown(results: Results) -> str:
    info = results.info
    lines = [
        "# Kabuto benchmark",
        "",
        f"Measured from receipts on one chain in one run: {info.client}, chain id {info.chain_id}, "
        f"hardfork `{info.hardfork}`, contracts compiled for `{info.evm_target}`; {info.started_at}, "
        f"commit `{info.git_commit}`, {info.duration_s:.0f} s. Rerun with `make bench`.",
        "",
        "## Gas per operation",
        "",
        "Ratios are to the plain ERC-20 for the same operation. A cell marked pending has no "
        "measurement yet (see the end): never an estimate.",
        "",
        "| operation | " + " | ".join(PEER_COLUMNS.values()) + " |",
        "|---|" + "---:|" * len(PEER_COLUMNS),
    ]
    for op in OPERATIONS:
        cells = [_gas_cell(results, f"{peer}.{op.suffix}") for peer in PEER_COLUMNS]
        lines.append(f"| {op.title} | " + " | ".join(cells) + " |")

    lines += [
        "",
        "## Targets (docs/performance.md)",
        "",
        "| target | limit | measured | status |",
        "|---|---|---:|---|",
    ]
    for target in TARGETS:
        status = target.status(results).value
        measured = target.where or _value_text(
            target.kind, target.value(results), results, target.key
        )
        lines.append(f"| {target.title} | {target.limit_text()} | {measured} | {status} |")

    lines += [
        "",
        "## Throughput on the local anvil",
        "",
        "| job | wall time | transactions | gas |",
        "|---|---:|---:|---:|",
    ]
    for key in results.time_keys:
        outcome = results.outcomes.get(key)
        if isinstance(outcome, TimeMeasurement):
            lines.append(
                f"| `{key}` | {outcome.seconds:.1f} s | {outcome.txs:,} | {outcome.gas:,} |"
            )
        else:
            lines.append(f"| `{key}` | pending | - | - |")

    lines += [
        "",
        "## Published figures (docs/performance.md, for reference)",
        "",
        "| operation | " + " | ".join(PUBLISHED_PEERS.values()) + " |",
        "|---|" + "---:|" * len(PUBLISHED_PEERS),
    ]
    for op in OPERATIONS:
        figures = PUBLISHED.get(op.suffix, {})
        cells = [
            f"{figures[p].gas:,}" + (f" ({figures[p].note})" if figures[p].note else "")
            if p in figures
            else "-"
            for p in PUBLISHED_PEERS
        ]
        lines.append(f"| {op.title} | " + " | ".join(cells) + " |")

    rates = [(k, o) for k, o in results.outcomes.items() if isinstance(o, RateMeasurement)]
    if rates:
        lines += ["", "## Other measurements", "", "| key | value |", "|---|---:|"]
        lines += [f"| `{k}` | {o.value:,} {o.unit} |" for k, o in rates]
    venue_gas = [k for k in results.gas_keys if k.startswith("kabuto.venue.")]
    for key in venue_gas:
        lines.append(f"| `{key}` | {_gas_cell(results, key)} gas |")
    notes = [
        (k, o.note) for k, o in results.outcomes.items() if not isinstance(o, Pending) and o.note
    ]
    pending = [(k, o.reason) for k, o in results.outcomes.items() if isinstance(o, Pending)]
    if notes:
        lines += ["", "## What was measured", ""] + [f"- `{k}`: {note}" for k, note in notes]
    if pending:
        by_reason: dict[str, list[str]] = {}
        for key, reason in pending:
            by_reason.setdefault(reason, []).append(f"`{key}`")
        lines += ["", "## Not measured yet", ""]
        lines += [f"- {', '.join(keys)}: {reason}" for reason, keys in by_reason.items()]
    return "\n".join(lines) + "\n"


def write(results: Results, out_dir: Path) -> tuple[Path, Path]:
    """Writes latest.json and latest.md into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "latest.json", out_dir / "latest.md"
    json_path.write_text(json.dumps(to_json(results), indent=2) + "\n")
    md_path.write_text(to_markdown(results))
    return json_path, md_path
