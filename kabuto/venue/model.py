"""The venue's plain data: orders, executions, refusals and acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

BUY = "buy"
SELL = "sell"
SIDES = (BUY, SELL)


class Reason(StrEnum):
    """Why an order, cancel or amend was refused (or an order's rest cancelled)."""

    MARKET_CLOSED = "market_closed"
    UNKNOWN_SYMBOL = "unknown_symbol"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    NOT_PARTICIPANTS_INVESTOR = "not_participants_investor"
    INVALID = "invalid"
    SIZE = "size"
    TICK = "tick"
    BAND = "band"
    NOT_ELIGIBLE = "not_eligible"
    SELL_NOT_COVERED = "sell_not_covered"
    BUY_NOT_COVERED = "buy_not_covered"
    SELF_MATCH = "self_match"
    UNKNOWN_ORDER = "unknown_order"
    NOT_YOUR_ORDER = "not_your_order"
    DUPLICATE_CLIENT_ID = "duplicate_client_id"


class Refused(Exception):
    """A pre-trade check refused a command; nothing changed."""

    def __init__(self, reason: Reason, text: str, code: int | None = None):
        super().__init__(text)
        self.reason = reason
        self.text = text
        self.code = code  # the token's ERC-1404 code, for eligibility refusals


class Order:
    """A resting or incoming limit order (day order). ``qty`` is what is left to fill; an order
    whose ``qty`` is 0 is no longer live (filled, cancelled or replaced by an amend)."""

    __slots__ = (
        "order_id",
        "client_id",
        "participant",
        "investor",
        "wallet",
        "symbol",
        "side",
        "price",
        "qty",
        "filled",
        "seq",
    )

    def __init__(
        self,
        order_id: int,
        client_id: str,
        participant: str,
        investor: str,
        wallet: str,
        symbol: str,
        side: str,
        price: int,
        qty: int,
        seq: int,
        filled: int = 0,
    ):
        self.order_id = order_id
        self.client_id = client_id
        self.participant = participant
        self.investor = investor
        self.wallet = wallet
        self.symbol = symbol
        self.side = side
        self.price = price
        self.qty = qty
        self.filled = filled
        self.seq = seq

    def view(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class Execution(NamedTuple):
    """One matched trade: ``quantity`` units of ``symbol`` at ``price`` yen each (a named
    tuple: the engine makes one per fill on its hot path)."""

    trade_id: str
    symbol: str
    price: int
    quantity: int
    buyer: str  # investor id
    buyer_wallet: str
    buyer_participant: str
    buy_order: int
    seller: str
    seller_wallet: str
    seller_participant: str
    sell_order: int
    phase: str  # open_auction, continuous, close_auction
    time: str  # ISO 8601, JST

    @property
    def yen_amount(self) -> int:
        return self.price * self.quantity

    def view(self) -> dict[str, Any]:
        return self._asdict() | {"yen_amount": self.price * self.quantity}


@dataclass(slots=True)
class Ack:
    """The answer to one command: accepted (with any executions it caused) or refused."""

    status: str  # accepted, refused, cancelled, amended
    client_id: str = ""
    order_id: int | None = None
    reason: str | None = None
    text: str = ""
    code: int | None = None
    remaining: int = 0
    executions: list[Execution] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]
        out["executions"] = [e.view() for e in self.executions]
        return out
