"""A token's supply and holder count over time as a server-rendered SVG (no script): two
step lines on one time axis, supply on the left scale and holders on the right."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kabuto.console.formatting import jst_day

W, H, PAD = 640, 200, 48


def _scale(value: int, top: int) -> float:
    return H - PAD / 2 - (value / top if top else 0) * (H - PAD)


def _steps(points: Sequence[tuple[float, float]]) -> str:
    """A step line: level until the next point, then up or down."""
    (x0, y0), rest = points[0], points[1:]
    return f"M{x0:.1f} {y0:.1f} " + " ".join(f"H{x:.1f} V{y:.1f}" for x, y in rest)


def supply_chart(history: Sequence[tuple[int, int, int]], lang: str) -> str:
    """SVG markup for (timestamp, supply, holders) points ("" when there are none)."""
    if not history:
        return ""
    supply_label, holders_label = ("供給量", "保有者数") if lang == "ja" else ("supply", "holders")
    first, last = history[0][0], history[-1][0]
    span = max(1, last - first)
    top_supply = max(s for _, s, _ in history) or 1
    top_holders = max(h for _, _, h in history) or 1

    def x(t: int) -> float:
        return PAD + (t - first) / span * (W - 2 * PAD)

    end = history[-1]
    supply = _steps(
        [(x(t), _scale(s, top_supply)) for t, s, _ in history]
        + [(W - PAD, _scale(end[1], top_supply))]
    )
    holders = _steps(
        [(x(t), _scale(h, top_holders)) for t, _, h in history]
        + [(W - PAD, _scale(end[2], top_holders))]
    )
    title = escape(f"{supply_label} {history[-1][1]:,} / {holders_label} {history[-1][2]:,}")
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'aria-label="{title}"><title>{title}</title>'
        f'<line x1="{PAD}" y1="{H - PAD / 2}" x2="{W - PAD}" y2="{H - PAD / 2}" class="axis"/>'
        f'<path d="{supply}" class="supply" fill="none"/>'
        f'<path d="{holders}" class="holders" fill="none"/>'
        f'<text x="4" y="14" class="supply-label">{escape(supply_label)} {top_supply:,}</text>'
        f'<text x="{W - 4}" y="14" text-anchor="end" class="holders-label">'
        f"{escape(holders_label)} {top_holders:,}</text>"
        f'<text x="{PAD}" y="{H - 4}">{jst_day(first)}</text>'
        f'<text x="{W - PAD}" y="{H - 4}" text-anchor="end">{jst_day(last)}</text>'
        "</svg>"
    )
