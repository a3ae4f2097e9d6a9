"""Price rules of one product: the tick table (呼値の単位) and the price-limit table (制限値幅).

Both are step tables over a price, read the way Japanese venues publish them:
- a tick row ``(up_to, tick)`` applies to prices up to and including ``up_to``; the last row's
  ``up_to`` is None (no upper end). A price is valid when it is a multiple of the tick of its
  own range.
- a band row ``(below, width)`` applies to reference prices strictly below ``below``; the last
  row's ``below`` is None. The day's band is reference +/- width, never below one tick.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass


class RuleTableError(ValueError):
    """A tick or band table that cannot be applied; the message says which row to fix."""


@dataclass(frozen=True)
class TickTable:
    """呼値の単位: ``rows`` are (up_to, tick), up_to ascending, the last one None."""

    name: str
    rows: tuple[tuple[int | None, int], ...]

    def __post_init__(self) -> None:
        _check_steps(self.name, self.rows, "up_to")
        for bound, tick in self.rows:
            if bound is not None and bound % tick:
                raise RuleTableError(
                    f"tick table {self.name}: the range up to {bound} does not end on its own "
                    f"tick {tick}"
                )
        object.__setattr__(self, "_bounds", [b for b, _ in self.rows[:-1]])

    def tick_at(self, price: int) -> int:
        """The tick of the range ``price`` falls in."""
        return self.rows[bisect_left(self._bounds, price)][1]  # type: ignore[attr-defined]

    def one_tick(self, low: int, high: int) -> int:
        """The tick of every price from ``low`` to ``high`` when they fall in one range of
        the table, else 0."""
        bounds = self._bounds  # type: ignore[attr-defined]
        same = bisect_left(bounds, low) == bisect_left(bounds, high)
        return self.tick_at(low) if same else 0

    def on_tick(self, price: int) -> bool:
        return price > 0 and price % self.tick_at(price) == 0

    def round_down(self, price: int) -> int:
        """The highest valid price at or below ``price`` (at least one tick)."""
        tick = self.tick_at(price)
        return max(price - price % tick, self.rows[0][1])

    def round_up(self, price: int) -> int:
        """The lowest valid price at or above ``price``."""
        tick = self.tick_at(price)
        up = price if price % tick == 0 else price + tick - price % tick
        return up if self.on_tick(up) else self.round_up(up + 1)

    def round_nearest(self, price: int) -> int:
        """The valid price nearest ``price`` (half up): how a reference price is adjusted to a
        new table (ODX: 四捨五入)."""
        down, up = self.round_down(price), self.round_up(price)
        return up if up - price <= price - down else down


@dataclass(frozen=True)
class BandTable:
    """制限値幅: ``rows`` are (below, width), below ascending, the last one None."""

    name: str
    rows: tuple[tuple[int | None, int], ...]

    def __post_init__(self) -> None:
        _check_steps(self.name, self.rows, "below")
        object.__setattr__(self, "_bounds", [b for b, _ in self.rows[:-1]])

    def width(self, reference: int) -> int:
        return self.rows[bisect_right(self._bounds, reference)][1]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PriceRules:
    """One product's prices for one day: its tick table and the band around the reference.

    ``band_tick`` is the one tick of every price inside the band when the band lies within
    one range of the tick table (the usual day), else 0: then a price inside the band is on
    the tick exactly when ``price % band_tick == 0``, with no table lookup."""

    ticks: TickTable
    reference: int
    lower: int
    upper: int
    band_tick: int = 0

    @classmethod
    def for_day(cls, ticks: TickTable, bands: BandTable, reference: int) -> PriceRules:
        if reference <= 0:
            raise RuleTableError(f"the reference price must be positive, got {reference}")
        width = bands.width(reference)
        lower = ticks.round_up(max(reference - width, ticks.rows[0][1]))
        upper = ticks.round_down(reference + width)
        return cls(ticks, reference, lower, upper, ticks.one_tick(lower, upper))

    def quotable(self, price: int) -> bool:
        """``refusal(price) is None``, decided without building the refusal's text."""
        if not self.lower <= price <= self.upper:
            return False
        return not price % (self.band_tick or self.ticks.tick_at(price))

    def refusal(self, price: int) -> tuple[str, str] | None:
        """Why ``price`` may not be quoted today, as ("tick" | "band", text), or None."""
        if price <= 0:
            return "tick", f"price {price} must be positive"
        if not self.ticks.on_tick(price):
            tick = self.ticks.tick_at(price)
            return "tick", (
                f"price {price:,} is not on the tick: {tick:,} yen in this range "
                f"(nearest {self.ticks.round_down(price):,} or {self.ticks.round_up(price):,})"
            )
        if not self.lower <= price <= self.upper:
            return "band", (
                f"price {price:,} is outside today's band {self.lower:,}-{self.upper:,} "
                f"(reference {self.reference:,})"
            )
        return None


def _check_steps(name: str, rows: tuple[tuple[int | None, int], ...], what: str) -> None:
    if not rows:
        raise RuleTableError(f"table {name} has no rows")
    if rows[-1][0] is not None:
        raise RuleTableError(f"table {name}: the last row's {what} must be empty (no upper end)")
    bounds = [b for b, _ in rows[:-1]]
    if any(b is None for b in bounds):
        raise RuleTableError(f"table {name}: only the last row may have no {what}")
    if any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)) or any(  # type: ignore[operator]
        b <= 0
        for b in bounds  # type: ignore[operator]
    ):
        raise RuleTableError(f"table {name}: {what} values must be positive and ascending")
    if any(v <= 0 for _, v in rows):
        raise RuleTableError(f"table {name}: every step must be positive")
