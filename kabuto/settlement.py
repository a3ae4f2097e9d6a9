"""Venue batch settlement: the executions of a batch, their net yen per wallet, and the
arguments of ``BatchSettlement.settleBatch``.

The net yen here is the plain per-trade computation (each seller receives, each buyer pays,
trade by trade); tests use it as the reference for the contract's netting, and the tooling
that settles a venue's execution file uses it to tell each participant what it will pay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from eth_utils import is_address, keccak, to_checksum_address

MAX_QUANTITY = 2**96 - 1  # IBatchSettlement.Trade.quantity is a uint96
MAX_AMOUNT = 2**128 - 1  # IBatchSettlement.Trade.amount is a uint128
MAX_INDEX = 2**32 - 1  # participant and token indexes are uint32


class InstructionStatus(IntEnum):
    """ISettlement.Status, in the Solidity declaration order (ABI-encoded as uint8)."""

    NONE = 0
    OPEN = 1
    APPROVED = 2
    SETTLED = 3
    CANCELLED = 4
    REFUSED = 5
    REJECTED = 6
    EXPIRED = 7


class SettlementInputError(ValueError):
    """An execution or batch the settlement contract would refuse; the message says what to fix."""


def _wallet(value: object, what: str, trade: int | None) -> str:
    """A checksum address from a hex string or anything with an ``address`` (accounts, contracts)."""
    where = f"trade {trade}: " if trade is not None else ""
    value = getattr(value, "address", value)
    if not isinstance(value, str) or not is_address(value):
        raise SettlementInputError(f"{where}{what} {value!r} is not a 20-byte hex address")
    return to_checksum_address(value)


@dataclass(frozen=True)
class Execution:
    """One matched trade of a venue: `quantity` units of `token` from `seller` to `buyer`
    against `amount` yen. Addresses are normalised to checksum form."""

    seller: str
    buyer: str
    token: str
    quantity: int
    amount: int
    index: int | None = None  # position in the venue's file, for error messages only

    def __post_init__(self) -> None:
        i = self.index
        for field in ("seller", "buyer", "token"):
            object.__setattr__(self, field, _wallet(getattr(self, field), field, i))
        where = f"trade {i}: " if i is not None else ""
        if self.seller == self.buyer:
            raise SettlementInputError(f"{where}seller and buyer are the same wallet {self.seller}")
        if not 0 < self.quantity <= MAX_QUANTITY:
            raise SettlementInputError(
                f"{where}quantity {self.quantity} must be in 1..{MAX_QUANTITY}"
            )
        if not 0 < self.amount <= MAX_AMOUNT:
            raise SettlementInputError(
                f"{where}yen amount {self.amount} must be in 1..{MAX_AMOUNT}"
            )


def net_yen(executions: Iterable[Execution]) -> dict[str, int]:
    """Net yen per wallet, trade by trade: positive receives, negative pays. Every wallet that
    appears in a trade is present (zero when its trades cancel out); the values sum to zero."""
    net: dict[str, int] = {}
    for e in executions:
        net[e.seller] = net.get(e.seller, 0) + e.amount
        net[e.buyer] = net.get(e.buyer, 0) - e.amount
    return net


@dataclass(frozen=True)
class Batch:
    """The arguments of ``settleBatch`` apart from the batch id: participants in strictly
    ascending address order (as the contract requires), tokens in first-seen order, and trades
    as (seller index, buyer index, token index, quantity, amount) in the venue's order."""

    participants: tuple[str, ...]
    tokens: tuple[str, ...]
    trades: tuple[tuple[int, int, int, int, int], ...]

    def args(self) -> tuple[list[str], list[str], list[tuple[int, int, int, int, int]]]:
        return list(self.participants), list(self.tokens), list(self.trades)


def build_batch(executions: Iterable[Execution]) -> Batch:
    """Index the executions for ``settleBatch``; trade order is kept (rules apply in order)."""
    execs = list(executions)
    if not execs:
        raise SettlementInputError("a batch needs at least one trade")
    participants = sorted({w for e in execs for w in (e.seller, e.buyer)}, key=lambda a: int(a, 16))
    tokens = list(dict.fromkeys(e.token for e in execs))
    if (
        len(participants) > MAX_INDEX + 1
        or len(tokens) > MAX_INDEX + 1
        or len(execs) > MAX_INDEX + 1
    ):
        raise SettlementInputError("a batch is limited to 2^32 participants, tokens and trades")
    p_index = {w: i for i, w in enumerate(participants)}
    t_index = {t: i for i, t in enumerate(tokens)}
    trades = tuple(
        (p_index[e.seller], p_index[e.buyer], t_index[e.token], e.quantity, e.amount) for e in execs
    )
    return Batch(tuple(participants), tuple(tokens), trades)


def batch_id(venue_reference: str) -> bytes:
    """A batch id from the venue's own reference (e.g. "START-20261125-001"): its keccak-256.
    The contract refuses a batch id it has settled before, so a re-sent file cannot settle twice."""
    if not venue_reference:
        raise SettlementInputError("the venue's batch reference must not be empty")
    return keccak(text=venue_reference)


def content_batch_id(executions: Iterable[Execution], trade_ids: Iterable[str]) -> bytes:
    """A batch id from the batch's content: keccak-256 of its trades in order (trade id,
    seller, buyer, token, quantity, yen). The same executions always make the same id, a
    different file never does, whatever either file is called."""
    lines = [
        f"{trade_id},{e.seller},{e.buyer},{e.token},{e.quantity},{e.amount}"
        for trade_id, e in zip(trade_ids, executions, strict=True)
    ]
    if not lines:
        raise SettlementInputError("a batch needs at least one trade")
    return keccak(text="kabuto:batch:v1\n" + "\n".join(lines))
