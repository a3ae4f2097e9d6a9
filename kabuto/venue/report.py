"""The end-of-day report: per security the day's prices (open, high, low, close), volume,
turnover and VWAP, and how many of its trades settled or failed; per participant its trades
and net yen; the fails list with each trade's restriction code. Written as JSON and as a
fails CSV for the participants."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kabuto.onchain_types import Restriction
from kabuto.venue.engine import Venue


@dataclass(frozen=True)
class DayReport:
    data: dict[str, Any]

    def lines(self) -> list[str]:
        d = self.data
        out = [f"{d['venue']} {d['day']}: end-of-day report"]
        out.append(
            f"  {'symbol':<9} {'ref':>10} {'open':>10} {'high':>10} {'low':>10} {'close':>10} "
            f"{'volume':>7} {'VWAP':>12} {'trades':>6} {'settled':>7} {'failed':>6}"
        )
        for s in d["securities"]:
            cell = lambda v: f"{v:,}" if isinstance(v, int) else "-"  # noqa: E731
            vwap = f"{s['vwap']:,.2f}" if s["vwap"] is not None else "-"
            out.append(
                f"  {s['symbol']:<9} {cell(s['reference']):>10} {cell(s['open']):>10} "
                f"{cell(s['high']):>10} {cell(s['low']):>10} {cell(s['close']):>10} "
                f"{s['volume']:>7,} {vwap:>12} {s['trades']:>6} {s['settled']:>7} {s['failed']:>6}"
            )
        for p in d["participants"]:
            out.append(
                f"  {p['participant']}: bought {p['bought_units']} units for {p['paid_yen']:,} "
                f"yen, sold {p['sold_units']} units for {p['received_yen']:,} yen "
                f"(settled trades)"
            )
        if d["fails"]:
            out.append(f"  fails list ({len(d['fails'])}):")
            for f in d["fails"]:
                out.append(
                    f"    {f['trade_id']} {f['symbol']} {f['quantity']} @ {f['price']:,} "
                    f"{f['seller_participant']}/{f['seller']} -> "
                    f"{f['buyer_participant']}/{f['buyer']}: {f['code_name'] or '-'}: {f['reason']}"
                )
        else:
            out.append("  fails list: none")
        return out


def day_report(venue: Venue) -> DayReport:
    securities = []
    for symbol, stats in venue.stats.items():
        states = [t for t in venue.trades.values() if t.execution.symbol == symbol]
        securities.append(
            {
                "symbol": symbol,
                "reference": venue.references[symbol],
                "open": stats.open,
                "high": stats.high,
                "low": stats.low,
                "close": stats.close,
                "volume": stats.volume,
                "turnover": stats.turnover,
                "vwap": stats.vwap,
                "trades": stats.trades,
                "settled": sum(t.status == "settled" for t in states),
                "failed": sum(t.status == "failed" for t in states),
                "unsettled": sum(t.status in ("pending", "batched") for t in states),
            }
        )
    participants = []
    for p in venue.config.participants:
        settled = [t.execution for t in venue.trades.values() if t.status == "settled"]
        bought = [e for e in settled if e.buyer_participant == p.id]
        sold = [e for e in settled if e.seller_participant == p.id]
        participants.append(
            {
                "participant": p.id,
                "bought_units": sum(e.quantity for e in bought),
                "paid_yen": sum(e.yen_amount for e in bought),
                "sold_units": sum(e.quantity for e in sold),
                "received_yen": sum(e.yen_amount for e in sold),
            }
        )
    fails = [
        t.execution.view()
        | {
            "code": t.code,
            "code_name": Restriction(t.code).name if t.code is not None else None,
            "reason": t.reason,
        }
        for t in venue.fails()
    ]
    return DayReport(
        {
            "venue": venue.config.venue,
            "day": venue.day.isoformat(),
            "securities": securities,
            "participants": participants,
            "fails": fails,
        }
    )


def write_report(report: DayReport, out_dir: Path) -> tuple[Path, Path]:
    """``<venue>-<day>-report.json`` and ``<venue>-<day>-fails.csv`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{report.data['venue']}-{report.data['day']}"
    json_path = out_dir / f"{stem}-report.json"
    json_path.write_text(json.dumps(report.data, indent=2, ensure_ascii=False) + "\n")
    fails_path = out_dir / f"{stem}-fails.csv"
    columns = [
        "trade_id", "symbol", "price", "quantity", "yen_amount", "seller_participant", "seller",
        "seller_wallet", "buyer_participant", "buyer", "buyer_wallet", "code", "code_name", "reason",
    ]  # fmt: skip
    with open(fails_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(report.data["fails"])
    return json_path, fails_path
