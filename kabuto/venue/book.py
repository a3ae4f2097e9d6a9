"""One security's order book: limit orders at price levels, price-time priority.

Each side keeps, per price, a FIFO queue of orders (time priority) and the level's total, and
a heap of its prices (price priority). A cancelled or replaced order is marked dead (``qty`` 0)
and its level total reduced at once; the dead entry leaves its queue when matching reaches it,
and an empty level leaves the heap when it comes to the top (at once when matching empties
it). Invariant: a price has a level exactly while it is on its side's heap.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterator

from kabuto.venue.model import BUY, Order

Fill = tuple[Order, Order, int, int]  # (buy order, sell order, price, quantity)
# Pair check during matching: (resting, incoming, quantity) -> None to trade, or a reason to
# stop matching and cancel the rest of the incoming order.
PairCheck = Callable[[Order, Order, int], "tuple[str, str, int | None] | None"]


class Side:
    __slots__ = ("is_buy", "levels", "totals", "heap")

    def __init__(self, is_buy: bool):
        self.is_buy = is_buy
        self.levels: dict[int, deque[Order]] = {}
        self.totals: dict[int, int] = {}
        self.heap: list[int] = []  # bids as negative prices, so the top is the best

    def add(self, order: Order) -> None:
        price = order.price
        level = self.levels.get(price)
        if level is None:
            self.levels[price] = deque((order,))
            self.totals[price] = order.qty
            heapq.heappush(self.heap, -price if self.is_buy else price)
        else:
            level.append(order)
            self.totals[price] += order.qty

    def best(self) -> int | None:
        """The best live price, dropping emptied levels from the top."""
        heap, totals = self.heap, self.totals
        while heap:
            price = -heap[0] if self.is_buy else heap[0]
            if totals[price] > 0:
                return price
            self.drop_top()
        return None

    def drop_top(self) -> None:
        """Removes the best level, which has no live order left."""
        price = heapq.heappop(self.heap)
        price = -price if self.is_buy else price
        del self.totals[price]
        del self.levels[price]

    def depth(self, limit: int) -> list[tuple[int, int]]:
        """Up to ``limit`` live levels, best first: (price, quantity)."""
        live = [(p, q) for p, q in self.totals.items() if q > 0]
        live.sort(reverse=self.is_buy)
        return live[:limit]

    def orders(self) -> Iterator[Order]:
        """Live orders in priority order (price, then time)."""
        for price in sorted(self.levels, reverse=self.is_buy):
            for order in self.levels[price]:
                if order.qty > 0:
                    yield order


class Book:
    """The order book of one security."""

    __slots__ = ("symbol", "bids", "asks", "live")

    def __init__(self, symbol: str):
        self.symbol = symbol
        self.bids = Side(True)
        self.asks = Side(False)
        self.live: dict[int, Order] = {}  # order id -> the live version of the order

    def side(self, side: str) -> Side:
        return self.bids if side == BUY else self.asks

    def best_bid(self) -> int | None:
        return self.bids.best()

    def best_ask(self) -> int | None:
        return self.asks.best()

    def is_crossed(self) -> bool:
        bid, ask = self.best_bid(), self.best_ask()
        return bid is not None and ask is not None and bid >= ask

    def rest(self, order: Order) -> None:
        """Puts a live order in the book (behind every order at its price)."""
        (self.bids if order.side == BUY else self.asks).add(order)
        self.live[order.order_id] = order

    def remove(self, order: Order) -> None:
        """Takes a live order out (cancel, expiry, or before its amended version rests)."""
        side = self.side(order.side)
        side.totals[order.price] -= order.qty
        order.qty = 0
        del self.live[order.order_id]

    def reduce(self, order: Order, new_qty: int) -> None:
        """A size decrease that keeps the order's place in the queue."""
        self.side(order.side).totals[order.price] -= order.qty - new_qty
        order.qty = new_qty

    def match(self, incoming: Order, check: PairCheck) -> tuple[list[Fill], tuple | None]:
        """Continuous matching of ``incoming`` against the opposite side at the resting
        orders' prices, best price first and oldest first within a price. Returns the fills
        and, when matching stopped on a refused pair (self-match, eligibility), the reason;
        the caller rests or cancels what is left of ``incoming``."""
        is_buy = incoming.side == BUY
        opposite = self.asks if is_buy else self.bids
        levels, totals, heap, live = opposite.levels, opposite.totals, opposite.heap, self.live
        limit = incoming.price
        fills: list[Fill] = []
        left = incoming.qty  # incoming.qty and .filled are written back when matching ends
        stop = None
        while left and heap:
            best = heap[0] if is_buy else -heap[0]  # the top, if its level is live
            if not totals[best]:
                best = opposite.best()
                if best is None:
                    break
            if best > limit if is_buy else best < limit:
                break
            queue = levels[best]
            while left and queue:
                resting = queue[0]
                if not resting.qty:
                    queue.popleft()
                    continue
                qty = resting.qty if resting.qty < left else left
                stop = check(resting, incoming, qty)
                if stop is not None:
                    break
                resting.qty -= qty
                resting.filled += qty
                left -= qty
                totals[best] -= qty
                if not resting.qty:
                    queue.popleft()
                    del live[resting.order_id]
                    if not totals[best]:  # the level is empty: off the top at once
                        opposite.drop_top()
                fills.append(
                    (incoming, resting, best, qty) if is_buy else (resting, incoming, best, qty)
                )
            if stop is not None:
                break
        incoming.filled += incoming.qty - left
        incoming.qty = left
        return fills, stop

    def allocate(self, price: int, volume: int) -> list[Fill]:
        """Call-auction allocation at one ``price``: ``volume`` units pair the bids at or above
        it and the asks at or below it, each side in price then time priority."""
        buys = (o for o in self.bids.orders() if o.price >= price)
        sells = (o for o in self.asks.orders() if o.price <= price)
        fills: list[Fill] = []
        buy, sell = next(buys, None), next(sells, None)
        left = volume
        while left and buy is not None and sell is not None:
            qty = min(buy.qty, sell.qty, left)
            fills.append((buy, sell, price, qty))
            for order in (buy, sell):
                self.side(order.side).totals[order.price] -= qty
                order.qty -= qty
                order.filled += qty
                if not order.qty:
                    del self.live[order.order_id]
            left -= qty
            if not buy.qty:
                buy = next(buys, None)
            if not sell.qty:
                sell = next(sells, None)
        return fills

    def levels(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Every live level of both sides: (bids best first, asks best first)."""
        return self.bids.depth(len(self.bids.totals)), self.asks.depth(len(self.asks.totals))

    def snapshot(self) -> dict[str, list[list[int]]]:
        """Every live order in priority order, (order id, price, qty, seq): the whole state a
        replay must reproduce."""
        return {
            "bids": [[o.order_id, o.price, o.qty, o.seq] for o in self.bids.orders()],
            "asks": [[o.order_id, o.price, o.qty, o.seq] for o in self.asks.orders()],
        }
