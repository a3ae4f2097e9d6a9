"""`make bench-scale` (issue 19): the throughput jobs at 1,000, 10,000 and 100,000 investors
(10 transfers each), each on a fresh anvil of its own, and the operators' scripts at 100,000.

Per scale: issuing (onboardInvestors of 100 + batchIssue of 250, envelopes encrypted inside
the timed part), building the transfers, and the register export by
kabuto.ops.export.export_register in a process of its own (its peak RSS is the export's
memory). The node runs with `--prune-history`: anvil otherwise keeps every past block's state
in memory (8.5 GB at 300,000 transfers), which the register does not need (it reads the logs
and the head state). Writes bench/results/scale.{json,md,png}.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kabuto.bench.context import BenchContext, expect
from kabuto.bench.operator_scale import ape_run
from kabuto.bench.peers.kabuto import BENCH_SYMBOL
from kabuto.bench.runner import APE_LOCAL_CHAIN_ID, DEFAULT_HARDFORK, RESULTS_DIR, git_commit
from kabuto.bench.throughput import Population, build_population, send_transfers
from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import AnvilNode

SCALES = (1_000, 10_000, 100_000)
TRANSFERS_PER_INVESTOR = 10
# --prune-history: no past states in memory (the register needs the logs and the head state).
# --gas-limit: a consortium chain's block gas limit (GoQuorum's sample genesis: 0xE0000000):
# anvil's per-block work grows with the state, so 100,000 investors in 30M-gas blocks spend
# most of their time mining blocks, not running transactions.
NODE_ARGS = ["--prune-history", "--gas-limit", str(0xE0000000)]
ISSUE_LIMIT_S = 60.0  # 100,000 investors
EXPORT_LIMIT_S = 60.0  # 100,000 holders after 1,000,000 transfers
EXPORT_RSS_LIMIT_MIB = 2048.0
GROWTH_LIMIT = 1.5  # cost per unit at 100,000 / at 10,000
OPERATOR_EXPORT_LIMIT_S = 120.0


@dataclass
class ScalePoint:
    investors: int
    transfers: int
    issue_s: float
    onboard_slices_s: list[float]
    transfers_s: float
    export_s: float
    export_phases: dict[str, float]
    export_peak_rss_mib: float
    export_workers_peak_rss_mib: float
    node_peak_rss_mib: float
    txs: int
    operator: dict[str, float] = field(default_factory=dict)

    @property
    def per_investor_ms(self) -> float:
        return 1000 * self.issue_s / self.investors

    @property
    def per_transfer_ms(self) -> float:
        return 1000 * self.transfers_s / self.transfers

    @property
    def export_per_transfer_us(self) -> float:
        return 1e6 * self.export_s / self.transfers


def _peak_rss_mib(pid: int) -> float:
    """A process's peak resident set (VmHWM), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _export_in_child(url: str, pop: Population, block: int, out: Path) -> dict[str, Any]:
    """kabuto.ops.export.export_register in a fresh process (python -m kabuto.bench.scale_export):
    its time as it measures it, its phases and its peak RSS."""
    args = [
        sys.executable,
        "-m",
        "kabuto.bench.scale_export",
        url,
        str(pop.kp.workdir / "deployments"),
        str(pop.kp.workdir / "keys"),
        BENCH_SYMBOL,
        str(pop.kp.ops.issuer.address),
        str(block),
        str(out),
    ]
    done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT)
    expect(done.returncode == 0, f"the export failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _operator_scripts(url: str, pop: Population, out: Path) -> dict[str, float]:
    """`ape run export_register` as an operator runs it against this node: wall time, Ape's
    start included; and its peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds, stdout = ape_run(
        "export_register",
        BENCH_SYMBOL,
        "--network",
        url,
        "--deployments",
        str(pop.kp.workdir / "deployments"),
        "--keys",
        str(pop.kp.workdir / "keys"),
        "--issuer",
        "2",  # the bench's issuer is test account 2 (kabuto.bench.peers.kabuto._operators)
        "--out",
        str(out),
    )
    expect("RECONCILED" in stdout, f"ape run export_register did not reconcile: {stdout[-1000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "export_register_s": round(seconds, 1),
        "export_register_peak_rss_mib": round(max(after, before) / 1024, 1),
    }


def run_scale(
    investors: int, transfers: int, profile_to: Path | None = None, operator: bool = False
) -> ScalePoint:
    """One scale on a fresh anvil (prune-history): issue, transfers, export."""
    from ape import accounts, chain, networks, project

    with AnvilNode(
        chain_id=APE_LOCAL_CHAIN_ID, hardfork=DEFAULT_HARDFORK, gas_free=True, extra_args=NODE_ARGS
    ) as node:
        with networks.parse_network_choice(
            "ethereum:local:node", provider_settings={"uri": node.url}
        ):
            ctx = BenchContext(
                project=project,
                accounts=accounts.test_accounts,
                chain=chain,
                label=f"scale.{investors}",
                scale_investors=investors,
                scale_transfers=transfers,
            )
            slices: list[float] = []
            profiler = cProfile.Profile() if profile_to else None
            if profiler:
                profiler.enable()
            pop, issued = build_population(ctx, investors, slices=slices)
            if profiler and profile_to:
                profiler.disable()
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
                profile_to.write_text(text.getvalue())
            moved, transfers_s = send_transfers(pop, transfers)
            block = pop.rpc.block_number()
            with tempfile.TemporaryDirectory(prefix="kabuto-scale-register-") as out:
                exported = _export_in_child(node.url, pop, block, Path(out))
                extra = _operator_scripts(node.url, pop, Path(out) / "op") if operator else {}
            assert node.process is not None
            return ScalePoint(
                investors=investors,
                transfers=transfers,
                issue_s=round(issued.seconds, 2),
                onboard_slices_s=[round(s, 2) for s in slices],
                transfers_s=round(transfers_s, 1),
                export_s=exported["seconds"],
                export_phases=exported["phases"],
                export_peak_rss_mib=exported["peak_rss_mib"],
                export_workers_peak_rss_mib=exported["workers_peak_rss_mib"],
                node_peak_rss_mib=round(_peak_rss_mib(node.process.pid), 1),
                txs=issued.txs + moved.txs,
                operator=extra,
            )


def growth(points: list[ScalePoint]) -> dict[str, Any]:
    """Cost per unit at each scale and the ratio of 100,000's to 10,000's."""
    by = {p.investors: p for p in points}
    out: dict[str, Any] = {
        "per_investor_ms": {str(p.investors): round(p.per_investor_ms, 4) for p in points},
        "per_transfer_ms": {str(p.investors): round(p.per_transfer_ms, 4) for p in points},
        "export_per_transfer_us": {
            str(p.investors): round(p.export_per_transfer_us, 2) for p in points
        },
    }
    if 10_000 in by and 100_000 in by:
        a, b = by[10_000], by[100_000]
        out["ratio_100k_to_10k"] = {
            "issue_per_investor": round(b.per_investor_ms / a.per_investor_ms, 3),
            "transfer_per_transfer": round(b.per_transfer_ms / a.per_transfer_ms, 3),
            "export_per_transfer": round(b.export_per_transfer_us / a.export_per_transfer_us, 3),
        }
    return out


def _status(ok: bool | None) -> str:
    return "pending" if ok is None else ("met" if ok else "not met")


def targets(points: list[ScalePoint]) -> list[dict[str, Any]]:
    by = {p.investors: p for p in points}
    top = by.get(100_000)
    full = top if top and top.transfers == 1_000_000 else None  # the target's scale only
    ratios = growth(points).get("ratio_100k_to_10k", {})
    rows = [
        (
            "issue to 100,000 investors (onboard + allot)",
            f"< {ISSUE_LIMIT_S:g} s",
            top and top.issue_s,
            top and top.issue_s < ISSUE_LIMIT_S,
        ),
        (
            "register export, 100,000 holders after 1,000,000 transfers",
            f"< {EXPORT_LIMIT_S:g} s",
            full and full.export_s,
            full and full.export_s < EXPORT_LIMIT_S,
        ),
        (
            "the export's peak RSS (100,000 holders, 1,000,000 transfers)",
            f"< {EXPORT_RSS_LIMIT_MIB:g} MiB",
            full and full.export_peak_rss_mib,
            full and full.export_peak_rss_mib < EXPORT_RSS_LIMIT_MIB,
        ),
    ]
    for key, value in ratios.items():
        if key == "export_per_transfer" and not full:
            continue  # the export's cost depends on holders and transfers: only at 10 per investor
        rows.append(
            (
                f"growth, {key.replace('_', ' ')} (100,000 / 10,000)",
                f"<= {GROWTH_LIMIT}x",
                value,
                value <= GROWTH_LIMIT,
            )
        )
    if top and top.operator:
        s = top.operator["export_register_s"]
        rows.append(
            (
                "`ape run export_register`, 100,000 holders (Ape start included)",
                f"< {OPERATOR_EXPORT_LIMIT_S:g} s",
                s,
                s < OPERATOR_EXPORT_LIMIT_S,
            )
        )
    return [
        {"title": t, "limit": lim, "value": v, "status": _status(None if v is None else bool(ok))}
        for t, lim, v, ok in rows
    ]


def to_json(points: list[ScalePoint], info: dict[str, Any]) -> dict[str, Any]:
    by = {p.investors: p for p in points}
    top = by.get(100_000)
    time_s: dict[str, Any] = {f"issue_{p.investors // 1000}k_investors": p.issue_s for p in points}
    time_s.update(
        {
            f"register_export_{p.investors // 1000}k_holders_{p.transfers // 1000}k_transfers": p.export_s
            for p in points
        }
    )
    if top and top.transfers == 1_000_000:
        time_s["register_export_100k_holders_1m_transfers"] = top.export_s
        time_s.pop("register_export_100k_holders_1000k_transfers", None)
    elif top:
        time_s["register_export_100k_holders_1m_transfers"] = None
    if top:
        if top.operator:
            time_s["operator_export_register_100k"] = top.operator["export_register_s"]
    return {
        "run": info,
        "time_s": time_s,
        "memory": {
            "export_peak_rss_mib": top.export_peak_rss_mib if top else None,
            "export_workers_peak_rss_mib": top.export_workers_peak_rss_mib if top else None,
            "node_peak_rss_mib": top.node_peak_rss_mib if top else None,
        },
        "growth": growth(points),
        "targets": targets(points),
        "points": [asdict(p) for p in points],
    }


def to_markdown(data: dict[str, Any], profile: str) -> str:
    run = data["run"]
    lines = [
        "# Kabuto at scale (`make bench-scale`)",
        "",
        f"{run['started_at']}, commit `{run['git_commit']}`, {run['client']}, node flags "
        f"`{' '.join(run['node_args'])}`, {run['cpus']} cores, load average {run['loadavg_before']} "
        f"before / {run['loadavg_after']} after; {run['duration_s']:.0f} s in all.",
        "",
        "| target | limit | measured | status |",
        "|---|---|---:|---|",
    ]
    for t in data["targets"]:
        lines.append(f"| {t['title']} | {t['limit']} | {t['value']} | {t['status']} |")
    lines += [
        "",
        "| investors | transfers | issue s | ms / investor | transfers s | ms / transfer | export s | "
        "us / transfer | export peak RSS MiB | node peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in data["points"]:
        lines.append(
            f"| {p['investors']:,} | {p['transfers']:,} | {p['issue_s']} | "
            f"{1000 * p['issue_s'] / p['investors']:.3f} | {p['transfers_s']} | "
            f"{1000 * p['transfers_s'] / p['transfers']:.3f} | {p['export_s']} | "
            f"{1e6 * p['export_s'] / p['transfers']:.1f} | {p['export_peak_rss_mib']} | "
            f"{p['node_peak_rss_mib']} |"
        )
    lines += [
        "",
        "Onboarding in ten slices (seconds; the first entry is encryption + encoding):",
        "",
    ]
    lines += [f"- {p['investors']:,}: {p['onboard_slices_s']}" for p in data["points"]]
    lines += ["", "Export phases (seconds):", ""]
    lines += [f"- {p['investors']:,}: {p['export_phases']}" for p in data["points"]]
    if profile:
        lines += [
            "",
            "Profile of issuing to 100,000 (this process, cumulative):",
            "",
            "```",
            profile.strip(),
            "```",
        ]
    return "\n".join(lines) + "\n"


def chart(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = data["growth"]
    scales = [int(k) for k in g["per_investor_ms"]]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label in (
        ("per_investor_ms", "issue, ms per investor"),
        ("per_transfer_ms", "transfers, ms per transfer"),
    ):
        ax.plot(scales, list(g[key].values()), marker="o", label=label)
    ax.plot(
        scales,
        [v / 1000 for v in g["export_per_transfer_us"].values()],
        marker="o",
        label="register export, ms per transfer",
    )
    ax.set_xscale("log")
    ax.set_xlabel("investors (transfers = 10 x investors)")
    ax.set_ylabel("ms per unit")
    ax.set_title(f"Kabuto cost per unit as the chain grows ({data['run']['git_commit']})")
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def earlier_points(log: Path) -> list[ScalePoint]:
    """Points an earlier run of this module printed (``scale N: {...}`` lines)."""
    import ast

    return [
        ScalePoint(**ast.literal_eval(line.split(": ", 1)[1]))
        for line in log.read_text().splitlines()
        if line.startswith("scale ")
    ]


def run(
    scales: tuple[int, ...] = SCALES,
    out_dir: Path = RESULTS_DIR,
    top_transfers: int | None = None,
    earlier: list[ScalePoint] | None = None,
) -> dict[str, Any]:
    """Every scale in turn; the largest with ``top_transfers`` transfers if given (10 per
    investor otherwise: 1,000,000 at 100,000). ``earlier``: points of the same commit measured
    by an earlier run, reported with these."""
    started = time.monotonic()
    loadavg_before = [round(x, 2) for x in os.getloadavg()]
    points: list[ScalePoint] = list(earlier or [])
    profile_path = Path(tempfile.mkstemp(prefix="kabuto-scale-profile-")[1])
    for investors in scales:
        top = investors == max(scales)
        transfers = investors * TRANSFERS_PER_INVESTOR
        if top and top_transfers is not None:
            transfers = top_transfers
        points.append(run_scale(investors, transfers, profile_path if top else None, operator=top))
        print(f"scale {investors:,}: {asdict(points[-1])}", flush=True)
    client = (
        subprocess.run(
            [str(PROJECT_ROOT / "node_modules" / ".bin" / "anvil"), "--version"],
            capture_output=True,
            text=True,
            check=False,
        )
        .stdout.strip()
        .splitlines()[:1]
    )
    info = {
        "started_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "git_commit": git_commit(),
        "client": client[0] if client else "anvil",
        "node_args": NODE_ARGS,
        "hardfork": DEFAULT_HARDFORK,
        "cpus": os.cpu_count(),
        "loadavg_before": loadavg_before,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "duration_s": round(time.monotonic() - started, 1),
        "points_from_an_earlier_run": [p.investors for p in earlier or []],
    }
    data = to_json(points, info)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "scale.json").write_text(json.dumps(data, indent=2) + "\n")
    profile = profile_path.read_text() if profile_path.exists() else ""
    (out_dir / "scale.md").write_text(to_markdown(data, profile))
    chart(data, out_dir / "scale.png")
    return data


def add_operator_onboarding(out_dir: Path, rows: int, measured: dict[str, Any]) -> None:
    """`ape run onboard` of a ``rows``-row file, into scale.json and scale.md."""
    path = out_dir / "scale.json"
    data = json.loads(path.read_text()) if path.exists() else {"time_s": {}}
    label = f"{rows // 1000}k" if rows >= 1000 else str(rows)
    data["time_s"][f"operator_onboard_{label}"] = measured["operator_onboard_s"]
    data["time_s"][f"operator_onboard_{label}_rerun"] = measured["operator_onboard_rerun_s"]
    data["operator_onboard"] = {"rows": rows, "loadavg": list(os.getloadavg()), **measured}
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    md = out_dir / "scale.md"
    text = md.read_text() if md.exists() else ""
    md.write_text(
        text
        + f"\n`ape run onboard` of a {rows:,}-row investors CSV on a fresh chain after `ape run "
        f"deploy` (Ape's start included, load average {data['operator_onboard']['loadavg'][0]:.1f}): "
        f"{measured['operator_onboard_s']} s ({measured['operator_onboard_output']}); "
        f"run again: {measured['operator_onboard_rerun_s']} s "
        f"({measured['operator_onboard_rerun_output']}).\n"
    )
