"""Itayose (板寄せ): the single price of a call auction at the open and the close.

Every order in the call book is treated as entered at the same time; the price is chosen from
the candidate prices (every limit price in the book, and the reference price) by these
conditions, each applied only when the previous one leaves more than one candidate:

1. **Most volume**: the price at which the most units execute, min(buy units at or above it,
   sell units at or below it).
2. **Least surplus**: of those, the price that leaves the fewest units unexecuted on the
   larger side at that price (|buy units - sell units|).
3. **The side (market pressure)**: if at every remaining price buying exceeds selling, the
   highest of them; if selling exceeds buying at every one, the lowest.
4. **The reference price**: otherwise the price nearest the reference price (the higher one
   when two are equally near).

docs/venue.md works each condition through an example and relates them to the exchange's
published conditions (all buys above and sells below the price execute, and one side at the
price executes in full), which the chosen price always satisfies.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True)
class AuctionPrice:
    price: int
    volume: int
    surplus: int  # buy units minus sell units at the price (positive: buyers left over)
    condition: str  # which condition decided: volume, surplus, pressure, reference


def auction_price(
    bids: list[tuple[int, int]], asks: list[tuple[int, int]], reference: int
) -> AuctionPrice | None:
    """The itayose price of a book given as price levels (price, units); None when no buy
    and sell cross (nothing executes)."""
    prices = sorted({p for p, _ in bids} | {p for p, _ in asks} | {reference})
    if not bids or not asks:
        return None
    bid_at = dict.fromkeys(prices, 0)
    ask_at = dict.fromkeys(prices, 0)
    for p, q in bids:
        bid_at[p] += q
    for p, q in asks:
        ask_at[p] += q
    # buy units at or above each price (cumulated from the top); sell units at or below it.
    buying = list(accumulate(bid_at[p] for p in reversed(prices)))[::-1]
    selling = list(accumulate(ask_at[p] for p in prices))
    rows = [(p, min(b, s), b - s) for p, b, s in zip(prices, buying, selling, strict=True)]
    most = max(v for _, v, _ in rows)
    if most == 0:
        return None
    candidates = [r for r in rows if r[1] == most]
    if len(candidates) == 1:
        return AuctionPrice(*candidates[0], "volume")
    least = min(abs(s) for _, _, s in candidates)
    candidates = [r for r in candidates if abs(r[2]) == least]
    if len(candidates) == 1:
        return AuctionPrice(*candidates[0], "surplus")
    if all(s > 0 for _, _, s in candidates):
        return AuctionPrice(*candidates[-1], "pressure")
    if all(s < 0 for _, _, s in candidates):
        return AuctionPrice(*candidates[0], "pressure")
    best = min(candidates, key=lambda r: (abs(r[0] - reference), -r[0]))
    return AuctionPrice(*best, "reference")
