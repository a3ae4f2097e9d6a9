"""The venue: pre-trade checks, one book per security, the day's phases and auctions, the
journal, market data, and the settlement state of every execution.

Every command takes the time it happens (``now``), so a replay of the journal runs the same
code with the same times and rebuilds the same state. The venue is single-threaded: callers
(the Python API, the HTTP server, the demo) serialise commands.

Buying power and selling power: an investor's open buy orders (at their limit prices) and its
bought-but-unsettled executions are committed against its yen (allowance to the settlement
contract, at most its balance); its open sell orders and sold-but-unsettled executions against
the units it locked to the venue. A settled or failed execution releases its commitment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kabuto.domain import JST
from kabuto.onchain_types import Restriction
from kabuto.venue.auction import auction_price
from kabuto.venue.book import Book, Fill
from kabuto.venue.calendar import CALL_PHASES, Phase, closed_reason
from kabuto.venue.config import VenueConfig
from kabuto.venue.facts import Facts
from kabuto.venue.journal import Journal
from kabuto.venue.model import BUY, SELL, Ack, Execution, Order, Reason, Refused
from kabuto.venue.rules import PriceRules

PHASE_ORDER = (Phase.CLOSED, Phase.PRE_OPEN, Phase.CONTINUOUS, Phase.PRE_CLOSE)
# Codes that a lock to the venue makes irrelevant: the seller's units are encumbered by it.
LOCK_COVERED = {int(Restriction.INSUFFICIENT_FREE_BALANCE)}

Listener = Callable[[dict[str, Any]], None]
_new_tuple = tuple.__new__


@dataclass(slots=True)
class Stats:
    """Market data of one security for the day."""

    open: int | None = None
    high: int | None = None
    low: int | None = None
    close: int | None = None  # last traded price
    volume: int = 0  # units
    turnover: int = 0  # yen
    trades: int = 0

    def add_run(
        self, first: int, last: int, high: int, low: int, volume: int, turnover: int, trades: int
    ) -> None:
        """Several trades at once: the first and last prices, their extremes and totals."""
        if self.open is None:
            self.open, self.high, self.low = first, high, low
        else:
            self.high = max(self.high, high)  # type: ignore[type-var]
            self.low = min(self.low, low)  # type: ignore[type-var]
        self.close = last
        self.volume += volume
        self.turnover += turnover
        self.trades += trades

    @property
    def vwap(self) -> float | None:
        return self.turnover / self.volume if self.volume else None


@dataclass(slots=True)
class TradeState:
    execution: Execution
    status: str = "pending"  # pending, batched, settled, failed
    batch: str | None = None
    code: int | None = None
    reason: str = ""


class _Product:
    """One product's constants for the day, found with one lookup per order: its book, its
    market data, its price rules and its order sizes."""

    __slots__ = ("book", "stats", "rules", "lower", "upper", "band_tick", "min_order", "max_order")

    def __init__(self, book: Book, stats: Stats, rules: PriceRules, min_order: int, max_order: int):
        self.book = book
        self.stats = stats
        self.rules = rules
        self.lower, self.upper, self.band_tick = rules.lower, rules.upper, rules.band_tick
        self.min_order = min_order
        self.max_order = max_order


@dataclass
class _Recorder:
    """Pair verdicts consulted while one command runs (journaled with it, for replay)."""

    pairs: list[list[Any]] = field(default_factory=list)


class Venue:
    """One trading day of the venue.

    Args:
        config: the venue config (products, tables, sessions, participants).
        facts: eligibility, locks and yen (StaticFacts, or ChainFacts on a chain).
        day: the trading day (a PTS business day).
        references: each product's reference price (the previous close); a product without
            one uses its issue price (its first trading day).
        journal: where every accepted command goes before it is acknowledged; None for none.
    """

    def __init__(
        self,
        config: VenueConfig,
        facts: Facts,
        day: date,
        references: dict[str, int] | None = None,
        journal: Journal | None = None,
    ):
        reason = closed_reason(day)
        if reason is not None:
            raise ValueError(f"{day} is not a trading day of the venue: {reason}")
        self.config = config
        self.facts = facts
        self.day = day
        self.journal = journal
        self.sessions = config.sessions.sessions()
        self.phase = Phase.CLOSED
        self.books = {p.symbol: Book(p.symbol) for p in config.products}
        self.stats = {p.symbol: Stats() for p in config.products}
        self.references: dict[str, int] = {}
        self.rules: dict[str, PriceRules] = {}
        for product in config.products:
            ticks = config.tick_table(product.tick_table)
            given = (references or {}).get(product.symbol)
            reference = ticks.round_nearest(given if given else product.issue_price)
            self.references[product.symbol] = reference
            self.rules[product.symbol] = PriceRules.for_day(
                ticks, config.band_table(product.band_table), reference
            )
        self._sizes = {p.symbol: (p.min_order, p.max_order) for p in config.products}
        self._products = {
            p.symbol: _Product(
                self.books[p.symbol],
                self.stats[p.symbol],
                self.rules[p.symbol],
                p.min_order,
                p.max_order,
            )
            for p in config.products
        }
        self._wallet_of = {
            (p.id, inv.id): inv.wallet for p in config.participants for inv in p.investors
        }
        self.orders: dict[int, Order] = {}  # every order of the day by id (live or not)
        self._client_ids: set[tuple[str, str]] = set()
        self._next_order = 1
        self._seq = 0
        self._trade_no = 0
        self._trade_prefix = f"{config.venue}-{day:%Y%m%d}-"
        self.trades: dict[str, TradeState] = {}
        self.committed_yen: dict[str, int] = {}
        self.committed_units: dict[tuple[str, str], int] = {}
        self.listeners: list[Listener] = []
        self._recorder: _Recorder | None = None
        self._replay_pairs: list[list[Any]] | None = None
        self._log({"op": "open_day", "day": day.isoformat(), "references": dict(self.references)})

    # ------------------------------------------------------------------ commands

    def submit(
        self,
        participant: str,
        investor: str,
        symbol: str,
        side: str,
        price: int,
        quantity: int,
        now: datetime,
        client_id: str = "",
    ) -> Ack:
        """A new limit day order. Refused with a reason by any pre-trade check; otherwise it
        rests (call periods) or matches first (continuous session)."""
        try:
            wallet = self._check_new(
                participant, investor, symbol, side, price, quantity, client_id
            )
        except Refused as refusal:
            return self._refused(refusal, client_id, now, "submit")
        order = Order(
            self._next_order,
            client_id,
            participant,
            investor,
            wallet,
            symbol,
            side,
            price,
            quantity,
            self._seq + 1,
        )
        self._seq += 1
        self._next_order += 1
        self.orders[order.order_id] = order
        if client_id:
            self._client_ids.add((participant, client_id))
        if side == BUY:  # the order's commitment (see _commit)
            committed = self.committed_yen
            committed[wallet] = committed.get(wallet, 0) + price * quantity
        else:
            units = self.committed_units
            units[(symbol, wallet)] = units.get((symbol, wallet), 0) + quantity
        journaling = self.journal is not None and self._replay_pairs is None
        recorder = self._start_recording() if journaling else None
        ack = self._enter(order, now)
        if journaling:
            self._log(
                {
                    "op": "submit",
                    "time": now.isoformat(),
                    "participant": participant,
                    "investor": investor,
                    "symbol": symbol,
                    "side": side,
                    "price": price,
                    "quantity": quantity,
                    "client_id": client_id,
                    "pairs": recorder.pairs if recorder else [],
                }
            )
        if self.listeners:
            self._after(ack, symbol, participant)
        return ack

    def cancel(self, participant: str, order_id: int, now: datetime) -> Ack:
        """Cancels what is left of a live order of the participant's."""
        try:
            order = self._own_live(participant, order_id)
        except Refused as refusal:
            return self._refused(refusal, "", now, "cancel", order_id)
        self._drop(order)
        self._log(
            {"op": "cancel", "time": now.isoformat(), "participant": participant, "order": order_id}
        )
        ack = Ack("cancelled", order.client_id, order_id)
        self._after(ack, order.symbol, participant)
        return ack

    def amend(
        self,
        participant: str,
        order_id: int,
        now: datetime,
        price: int | None = None,
        quantity: int | None = None,
    ) -> Ack:
        """Changes a live order's price and/or its open quantity. A price change or a size
        increase loses time priority (the order goes behind every order at its price); a size
        decrease keeps it."""
        try:
            order = self._own_live(participant, order_id)
            new_price = order.price if price is None else price
            new_qty = order.qty if quantity is None else quantity
            self._check_amend(order, new_price, new_qty)
        except Refused as refusal:
            return self._refused(refusal, "", now, "amend", order_id)
        book = self.books[order.symbol]
        recorder = self._start_recording()
        if new_price == order.price and new_qty <= order.qty:
            self._commit(order, new_qty - order.qty)
            book.reduce(order, new_qty)
            ack = Ack("amended", order.client_id, order_id, remaining=new_qty)
        else:
            self._drop(order)
            replacement = Order(
                order.order_id,
                order.client_id,
                order.participant,
                order.investor,
                order.wallet,
                order.symbol,
                order.side,
                new_price,
                new_qty,
                self._next_seq(),
                order.filled,
            )
            self.orders[order_id] = replacement
            self._commit(replacement, new_qty)
            ack = self._enter(replacement, now)
            ack.status = "amended" if ack.status == "accepted" else ack.status
        self._log(
            {
                "op": "amend",
                "time": now.isoformat(),
                "participant": participant,
                "order": order_id,
                "price": new_price,
                "quantity": new_qty,
                "pairs": recorder.pairs if recorder else [],
            }
        )
        self._after(ack, order.symbol, participant)
        return ack

    def advance(self, now: datetime) -> list[Execution]:
        """Moves the day to the phase the timetable gives for ``now``, running the opening
        auction, the closing auction and the expiry of day orders on the way. Returns the
        auctions' executions."""
        local = now.astimezone(JST)
        if local.date() < self.day or self._over:
            return []
        if local.date() > self.day or local.time() >= self.sessions.close_auction:
            wanted = len(PHASE_ORDER)  # through the closing auction to CLOSED
        else:
            wanted = PHASE_ORDER.index(self.sessions.phase_at(local))
        executions: list[Execution] = []
        for step in range(PHASE_ORDER.index(self.phase) + 1, wanted + 1):
            executions += self.set_phase(PHASE_ORDER[step % len(PHASE_ORDER)], now)
        return executions

    def set_phase(self, to: Phase, now: datetime) -> list[Execution]:
        """One phase change (in timetable order), with its auction or expiry."""
        current = PHASE_ORDER.index(self.phase)
        if PHASE_ORDER[(current + 1) % len(PHASE_ORDER)] is not to:
            raise ValueError(f"the venue cannot go from {self.phase.value} to {to.value}")
        if self._closed_for_good() and to is not Phase.CLOSED:
            raise ValueError(f"the trading day {self.day} is over")
        recorder = self._start_recording()
        executions: list[Execution] = []
        if to is Phase.CONTINUOUS:
            executions = self._auctions(now, "open_auction")
        elif to is Phase.CLOSED:
            executions = self._auctions(now, "close_auction")
            self._expire_all()
        self.phase = to
        if to is Phase.CLOSED:
            self._over = True
        self._log(
            {
                "op": "phase",
                "to": to.value,
                "time": now.isoformat(),
                "pairs": recorder.pairs if recorder else [],
            }
        )
        self._emit({"type": "phase", "phase": to.value, "time": now.isoformat()})
        for symbol in self.books:
            self._emit(self.market_data(symbol))
        return executions

    # ------------------------------------------------------------------ settlement state

    def unsettled(self) -> list[Execution]:
        """Executions not yet in a batch, in trade order."""
        return [t.execution for t in self.trades.values() if t.status == "pending"]

    def mark_batched(self, batch: str, trade_ids: list[str]) -> None:
        """A batch was formed of these trades (before it is sent)."""
        for trade_id in trade_ids:
            state = self.trades[trade_id]
            if state.status != "pending":
                raise ValueError(f"trade {trade_id} is {state.status}, it cannot join {batch}")
            state.status, state.batch = "batched", batch
        self._log({"op": "batched", "batch": batch, "trades": trade_ids})

    def unbatch(self, batch: str) -> list[str]:
        """A formed batch did not settle (the chain refused it before it was sent): its
        trades are pending again."""
        ids = [i for i, t in self.trades.items() if t.batch == batch and t.status == "batched"]
        for trade_id in ids:
            self.trades[trade_id].status, self.trades[trade_id].batch = "pending", None
        self._log({"op": "unbatched", "batch": batch})
        return ids

    def mark_settled(self, batch: str, tx: str = "") -> None:
        ids = [i for i, t in self.trades.items() if t.batch == batch and t.status == "batched"]
        for trade_id in ids:
            state = self.trades[trade_id]
            state.status = "settled"
            self._release(state.execution)
        self._log({"op": "settled", "batch": batch, "tx": tx, "trades": ids})
        self.facts.refresh()
        self._emit({"type": "settled", "batch": batch, "trades": ids})

    def mark_failed(self, trade_id: str, code: int | None, reason: str) -> None:
        """An execution the chain refuses: it is never settled; its parties are told."""
        state = self.trades[trade_id]
        if state.status in ("settled", "failed"):
            raise ValueError(f"trade {trade_id} is already {state.status}")
        state.status, state.code, state.reason, state.batch = "failed", code, reason, None
        self._release(state.execution)
        self._log({"op": "failed", "trade": trade_id, "code": code, "reason": reason})
        self._emit(
            {"type": "fail", "trade_id": trade_id, "code": code, "reason": reason}
            | {k: getattr(state.execution, k) for k in ("buyer_participant", "seller_participant")}
        )

    def fails(self) -> list[TradeState]:
        return [t for t in self.trades.values() if t.status == "failed"]

    # ------------------------------------------------------------------ market data

    def market_data(self, symbol: str, depth: int = 5) -> dict[str, Any]:
        book, stats = self.books[symbol], self.stats[symbol]
        bids = book.bids.depth(depth)
        asks = book.asks.depth(depth)
        return {
            "type": "market",
            "symbol": symbol,
            "phase": self.phase.value,
            "reference": self.references[symbol],
            "band": [self.rules[symbol].lower, self.rules[symbol].upper],
            "best_bid": bids[0] if bids else None,
            "best_ask": asks[0] if asks else None,
            "bids": bids,
            "asks": asks,
            "last": stats.close,
            "volume": stats.volume,
            "turnover": stats.turnover,
            "vwap": stats.vwap,
        }

    def closes(self) -> dict[str, int]:
        """Each product's closing price (last trade, or the day's reference without one): the
        next trading day's reference prices."""
        return {
            s: st.close if st.close is not None else self.references[s]
            for s, st in self.stats.items()
        }

    def snapshot(self) -> dict[str, Any]:
        """The whole state a journal replay must reproduce."""
        return {
            "phase": self.phase.value,
            "books": {s: b.snapshot() for s, b in self.books.items()},
            "trades": {i: [t.status, t.batch, t.code] for i, t in self.trades.items()},
            "executions": [t.execution.view() for t in self.trades.values()],
            "committed_yen": {k: v for k, v in self.committed_yen.items() if v},
            "committed_units": {f"{s}|{w}": v for (s, w), v in self.committed_units.items() if v},
        }

    # ------------------------------------------------------------------ checks

    def _check_new(
        self,
        participant: str,
        investor: str,
        symbol: str,
        side: str,
        price: int,
        quantity: int,
        client_id: str,
    ) -> str:
        continuous = self.phase is Phase.CONTINUOUS
        if not continuous and self.phase is Phase.CLOSED:
            raise Refused(Reason.MARKET_CLOSED, f"the market is closed ({self._closed_text()})")
        product = self._products.get(symbol)
        if product is None:
            raise Refused(Reason.UNKNOWN_SYMBOL, f"{symbol!r} is not traded at this venue")
        wallet = self._wallet_of.get((participant, investor))
        if wallet is None:
            if participant not in self.config.participant_by_id:
                raise Refused(Reason.UNKNOWN_PARTICIPANT, f"no participant {participant!r}")
            raise Refused(
                Reason.NOT_PARTICIPANTS_INVESTOR,
                f"investor {investor!r} is not a client of participant {participant}",
            )
        if side != BUY and side != SELL:
            raise Refused(Reason.INVALID, f"side must be buy or sell, not {side!r}")
        if type(price) is not int or type(quantity) is not int:
            raise Refused(Reason.INVALID, "price and quantity must be whole numbers")
        if not product.min_order <= quantity <= product.max_order:
            self._check_size(symbol, quantity)
        # the common case inline: inside the band and on its one tick (rules.refusal explains)
        tick = product.band_tick
        if not (tick and product.lower <= price <= product.upper and not price % tick):
            if not product.rules.quotable(price):
                self._check_price(product.rules, price)
        if client_id and (participant, client_id) in self._client_ids:
            raise Refused(
                Reason.DUPLICATE_CLIENT_ID, f"client order id {client_id!r} was used today"
            )
        if self._replay_pairs is None:
            facts = self.facts
            why = facts.investor_refusal(symbol, investor, wallet)
            if why is not None:
                raise Refused(Reason.NOT_ELIGIBLE, f"investor {investor} may not trade: {why}")
            if side == BUY:
                if price * quantity > facts.yen(wallet) - self.committed_yen.get(wallet, 0):
                    self._check_cover(symbol, wallet, side, price * quantity)
            elif quantity > facts.locked(symbol, wallet) - self.committed_units.get(
                (symbol, wallet), 0
            ):
                self._check_cover(symbol, wallet, side, quantity)
        if not continuous:
            self._check_self_cross(symbol, investor, side, price, None)
        return wallet

    def _check_amend(self, order: Order, price: int, quantity: int) -> None:
        if self.phase is Phase.CLOSED:
            raise Refused(Reason.MARKET_CLOSED, f"the market is closed ({self._closed_text()})")
        if type(price) is not int or type(quantity) is not int:
            raise Refused(Reason.INVALID, "price and quantity must be whole numbers")
        if quantity <= 0:
            raise Refused(Reason.INVALID, "an amend keeps a positive quantity: cancel instead")
        self._check_size(order.symbol, quantity)
        self._check_price(self.rules[order.symbol], price)
        if self._replay_pairs is None:
            if order.side == BUY:
                extra = price * quantity - order.price * order.qty
            else:
                extra = quantity - order.qty
            if extra > 0:
                self._check_cover(order.symbol, order.wallet, order.side, extra)
        if self.phase in CALL_PHASES:
            self._check_self_cross(order.symbol, order.investor, order.side, price, order.order_id)

    def _check_size(self, symbol: str, quantity: int) -> None:
        low, high = self._sizes[symbol]
        if not low <= quantity <= high:
            raise Refused(
                Reason.SIZE, f"quantity {quantity} is outside {low}-{high} units for {symbol}"
            )

    @staticmethod
    def _check_price(rules: PriceRules, price: int) -> None:
        refusal = rules.refusal(price)
        if refusal is not None:
            kind, text = refusal
            raise Refused(Reason.BAND if kind == "band" else Reason.TICK, text)

    def _check_cover(self, symbol: str, wallet: str, side: str, needed: int) -> None:
        if side == SELL:
            free = self.facts.locked(symbol, wallet) - self.committed_units.get((symbol, wallet), 0)
            if needed > free:
                raise Refused(
                    Reason.SELL_NOT_COVERED,
                    f"selling {needed} {symbol} needs units locked to the venue: {free} free of "
                    "the lock (lock more with token.lock(venue, units))",
                )
        else:
            free = self.facts.yen(wallet) - self.committed_yen.get(wallet, 0)
            if needed > free:
                raise Refused(
                    Reason.BUY_NOT_COVERED,
                    f"buying for {needed:,} yen needs that much yen allowed to the venue's "
                    f"settlement contract (and held): {free:,} yen free after open buys",
                )

    def _check_self_cross(
        self, symbol: str, investor: str, side: str, price: int, except_id: int | None
    ) -> None:
        """In a call period an investor's buy may not meet its own sell at any price: the
        auction would otherwise trade it with itself."""
        for other in self.books[symbol].live.values():
            if other.investor != investor or other.side == side or other.order_id == except_id:
                continue
            crosses = price >= other.price if side == BUY else price <= other.price
            if crosses:
                raise Refused(
                    Reason.SELF_MATCH,
                    f"investor {investor} has a {other.side} order {other.order_id} at "
                    f"{other.price:,} that this order would trade with (self-match)",
                )

    def _own_live(self, participant: str, order_id: int) -> Order:
        order = self.orders.get(order_id)
        if order is None or order.qty == 0:
            raise Refused(Reason.UNKNOWN_ORDER, f"no live order {order_id}")
        if order.participant != participant:
            raise Refused(Reason.NOT_YOUR_ORDER, f"order {order_id} is not {participant}'s")
        return order

    # ------------------------------------------------------------------ matching

    def _enter(self, order: Order, now: datetime) -> Ack:
        book = self.books[order.symbol]
        executions: list[Execution] = []
        if self.phase is Phase.CONTINUOUS:
            fills, stop = book.match(order, self._pair_check)
            if fills:
                executions = self._executions(fills, now, "continuous")
            if stop is not None and order.qty:
                reason, text, code = stop
                self._commit(order, -order.qty)
                order.qty = 0
                return Ack(
                    "accepted", order.client_id, order.order_id, reason, text, code, 0, executions
                )
        if order.qty:
            book.rest(order)
        return Ack(
            "accepted", order.client_id, order.order_id, None, "", None, order.qty, executions
        )

    def _pair_check(self, resting: Order, incoming: Order, qty: int) -> tuple | None:
        if resting.investor == incoming.investor:
            return (
                Reason.SELF_MATCH.value,
                f"the rest of the order was cancelled: it would trade with order "
                f"{resting.order_id} of the same investor (self-match prevention)",
                None,
            )
        if incoming.side == BUY:
            seller, buyer = resting.wallet, incoming.wallet
        else:
            seller, buyer = incoming.wallet, resting.wallet
        if self._recorder is None and self._replay_pairs is None:  # the common case
            code = self.facts.pair_code(incoming.symbol, seller, buyer, qty)
            if code and code in LOCK_COVERED:
                code = 0
        else:
            code = self._pair_code(incoming.symbol, seller, buyer, qty)
        if code:
            return (
                Reason.NOT_ELIGIBLE.value,
                f"the rest of the order was cancelled: the token refuses delivery from "
                f"{seller} to {buyer}: {Restriction(code).name} (ERC-1404 code {code})",
                code,
            )
        return None

    def _pair_code(self, symbol: str, seller: str, buyer: str, qty: int) -> int:
        if self._replay_pairs is not None:
            recorded = self._replay_pairs.pop(0)
            if recorded[:3] != [seller, buyer, qty]:
                raise ValueError(f"journal replay diverged: expected pair {recorded}")
            return int(recorded[3])
        code = self.facts.pair_code(symbol, seller, buyer, qty)
        code = 0 if code in LOCK_COVERED else code
        if self._recorder is not None:
            self._recorder.pairs.append([seller, buyer, qty, code])
        return code

    def _auctions(self, now: datetime, phase: str) -> list[Execution]:
        executions: list[Execution] = []
        for symbol, book in self.books.items():
            while True:
                bids, asks = book.levels()
                result = auction_price(bids, asks, self.references[symbol])
                if result is None:
                    break
                refused = self._auction_refusal(book, result.price, result.volume)
                if refused is None:
                    fills = book.allocate(result.price, result.volume)
                    executions += self._executions(fills, now, phase)
                    break
                order, text, code = refused  # drop the buy the token refuses, then again
                self._drop(order)
                self._emit(
                    {"type": "ack"}
                    | Ack(
                        "cancelled",
                        order.client_id,
                        order.order_id,
                        Reason.NOT_ELIGIBLE.value,
                        text,
                        code,
                    ).view()
                    | {"participant": order.participant}
                )
        return executions

    def _auction_refusal(self, book: Book, price: int, volume: int) -> tuple | None:
        """The first pair of the allocation the token refuses, as (buy order, text, code)."""
        buys = [o for o in book.bids.orders() if o.price >= price]
        sells = [o for o in book.asks.orders() if o.price <= price]
        left, b, s = volume, 0, 0
        buy_left = buys[0].qty if buys else 0
        sell_left = sells[0].qty if sells else 0
        while left and b < len(buys) and s < len(sells):
            qty = min(buy_left, sell_left, left)
            code = self._pair_code(book.symbol, sells[s].wallet, buys[b].wallet, qty)
            if code:
                text = (
                    f"cancelled at the auction: the token refuses delivery from {sells[s].wallet} "
                    f"to {buys[b].wallet}: {Restriction(code).name} (ERC-1404 code {code})"
                )
                return buys[b], text, code
            left -= qty
            buy_left -= qty
            sell_left -= qty
            if not buy_left:
                b += 1
                buy_left = buys[b].qty if b < len(buys) else 0
            if not sell_left:
                s += 1
                sell_left = sells[s].qty if s < len(sells) else 0
        return None

    def _executions(self, fills: list[Fill], now: datetime, phase: str) -> list[Execution]:
        """The fills of one match or one auction (one book's) as executions: numbered, stored
        pending settlement, in the day's market data."""
        if not fills:
            return []
        out = []
        if now is not self._iso_of:
            self._iso_of, self._iso = now, now.isoformat()
        when = self._iso
        trades, prefix, committed = self.trades, self._trade_prefix, self.committed_yen
        listeners = self.listeners
        number = self._trade_no
        high = low = fills[0][2]
        volume = turnover = 0
        for buy, sell, price, qty in fills:
            number += 1
            trade_id = prefix + str(number).zfill(6)  # as f"{number:06d}", at half the cost
            # Execution(...) field by field, without the named tuple's argument binding
            execution = _new_tuple(
                Execution,
                (
                    trade_id,
                    buy.symbol,
                    price,
                    qty,
                    buy.investor,
                    buy.wallet,
                    buy.participant,
                    buy.order_id,
                    sell.investor,
                    sell.wallet,
                    sell.participant,
                    sell.order_id,
                    phase,
                    when,
                ),
            )
            # The buyer committed its limit price; it pays the trade price.
            if buy.price != price:
                committed[buy.wallet] -= (buy.price - price) * qty
            trades[trade_id] = TradeState(execution)
            if price > high:
                high = price
            elif price < low:
                low = price
            volume += qty
            turnover += price * qty
            out.append(execution)
            if listeners:
                self._trade_no = number
                self._emit({"type": "execution"} | execution.view())
        self._trade_no = number
        self.stats[fills[0][0].symbol].add_run(
            fills[0][2], price, high, low, volume, turnover, len(fills)
        )
        return out

    # ------------------------------------------------------------------ bookkeeping

    def _commit(self, order: Order, qty: int) -> None:
        """Adds (or with a negative ``qty`` releases) an order's commitment."""
        if order.side == BUY:
            self.committed_yen[order.wallet] = (
                self.committed_yen.get(order.wallet, 0) + order.price * qty
            )
        else:
            key = (order.symbol, order.wallet)
            self.committed_units[key] = self.committed_units.get(key, 0) + qty

    def _release(self, execution: Execution) -> None:
        self.committed_yen[execution.buyer_wallet] -= execution.yen_amount
        self.committed_units[(execution.symbol, execution.seller_wallet)] -= execution.quantity

    def _drop(self, order: Order) -> None:
        self._commit(order, -order.qty)
        self.books[order.symbol].remove(order)

    def _expire_all(self) -> None:
        for book in self.books.values():
            for order in list(book.live.values()):
                self._drop(order)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    _over = False
    _iso_of: datetime | None = None
    _iso = ""

    @property
    def _journaling(self) -> bool:
        return self.journal is not None and self._replay_pairs is None

    def _closed_for_good(self) -> bool:
        return self._over

    def _closed_text(self) -> str:
        if self._over:
            return f"the trading day {self.day} is over"
        s = self.sessions
        return f"order entry opens at {s.order_entry:%H:%M} JST on {self.day}"

    def _start_recording(self) -> _Recorder | None:
        if self.journal is None or self._replay_pairs is not None:
            self._recorder = None
        else:
            self._recorder = _Recorder()
        return self._recorder

    def _refused(
        self,
        refusal: Refused,
        client_id: str,
        now: datetime,
        op: str,
        order_id: int | None = None,
    ) -> Ack:
        ack = Ack("refused", client_id, order_id, refusal.reason.value, refusal.text, refusal.code)
        if self.journal is not None and self._replay_pairs is None:
            self._log(
                {
                    "op": "refused",
                    "of": op,
                    "time": now.isoformat(),
                    "reason": ack.reason,
                    "text": ack.text,
                }
            )
        return ack

    def _log(self, entry: dict[str, Any]) -> None:
        if self.journal is not None and self._replay_pairs is None:
            self.journal.append(entry)

    def _after(self, ack: Ack, symbol: str, participant: str) -> None:
        if self.listeners:
            self._emit({"type": "ack", "participant": participant} | ack.view())
            self._emit(self.market_data(symbol))

    def _emit(self, event: dict[str, Any]) -> None:
        for listener in self.listeners:
            listener(event)

    # ------------------------------------------------------------------ replay

    @classmethod
    def replay(
        cls,
        config: VenueConfig,
        facts: Facts,
        entries: list[dict[str, Any]],
        journal: Journal | None = None,
    ) -> Venue:
        """The venue rebuilt from its journal entries: the same commands with the same times
        and the same token verdicts as recorded, so the same books, executions and settlement
        states. ``journal`` (the same file, reopened) receives what comes after."""
        if not entries or entries[0].get("op") != "open_day":
            raise ValueError("a venue journal starts with its open_day entry")
        first = entries[0]
        venue = cls(config, facts, date.fromisoformat(first["day"]), first["references"], None)
        for entry in entries[1:]:
            venue._apply(entry)
        venue.journal = journal
        return venue

    def _apply(self, entry: dict[str, Any]) -> None:
        op = entry["op"]
        now = datetime.fromisoformat(entry["time"]) if "time" in entry else None
        self._replay_pairs = list(entry.get("pairs", []))
        try:
            if op == "submit":
                ack = self.submit(
                    entry["participant"],
                    entry["investor"],
                    entry["symbol"],
                    entry["side"],
                    entry["price"],
                    entry["quantity"],
                    now,  # type: ignore[arg-type]
                    entry["client_id"],
                )
                if ack.status == "refused":
                    raise ValueError(f"journal replay diverged: {entry} refused ({ack.text})")
            elif op == "cancel":
                self.cancel(entry["participant"], entry["order"], now)  # type: ignore[arg-type]
            elif op == "amend":
                self.amend(
                    entry["participant"],
                    entry["order"],
                    now,
                    entry["price"],
                    entry["quantity"],  # type: ignore[arg-type]
                )
            elif op == "phase":
                self.set_phase(Phase(entry["to"]), now)  # type: ignore[arg-type]
            elif op == "batched":
                self.mark_batched(entry["batch"], entry["trades"])
            elif op == "unbatched":
                self.unbatch(entry["batch"])
            elif op == "settled":
                self.mark_settled(entry["batch"], entry.get("tx", ""))
            elif op == "failed":
                self.mark_failed(entry["trade"], entry["code"], entry["reason"])
            elif op != "refused":
                raise ValueError(f"unknown journal entry {op!r}")
        finally:
            self._replay_pairs = None
