"""Settling a venue's execution file (CSV) as one all-or-nothing batch on BatchSettlement.

Checked before sending: the file (ids, addresses, symbols of the manifest), each seller's
standing lock to the venue covering its trades, each net payer's yen allowance and balance,
and a dry run of the whole batch on the chain (``eth_call``) whose refusal is mapped back to
the row that caused it. The batch id is the keccak of the batch's content (its executions in
order), not of a file name or reference: the contract refuses a batch id twice, so a rerun
never settles twice, and a different file of the same name is a different batch. A rerun of
a settled batch says when it settled (block, time, transaction), read from its BatchSettled
event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ape import chain
from ape.exceptions import ContractLogicError
from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from kabuto.domain import JST
from kabuto.errors import InputError, InputIssue
from kabuto.inputs import ExecutionRow, load_executions
from kabuto.onchain_types import Restriction
from kabuto.ops.chain import Platform, revert_reason, send
from kabuto.settlement import Execution, build_batch, content_batch_id, net_yen

_BATCH_SETTLED = keccak(text="BatchSettled(bytes32,address,uint256,uint256,uint256,uint256)")
_TRANSFER_RESTRICTED = keccak(text="TransferRestricted(uint8,address,address,uint256)")[:4]


@dataclass(frozen=True)
class BatchPlan:
    platform: Platform
    reference: str
    batch_id: bytes
    rows: tuple[tuple[int, ExecutionRow], ...]
    args: tuple[Any, ...]
    net: dict[str, int]

    @property
    def gross_yen(self) -> int:
        return sum(row.yen_amount for _, row in self.rows)


@dataclass(frozen=True)
class Settled:
    """Where a batch id settled on the chain (its BatchSettled event)."""

    block: int
    timestamp: int
    transaction: str
    trades: int

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.timestamp, JST).strftime("%Y-%m-%d %H:%M:%S JST")
        return (
            f"settled in block {self.block} at {when} "
            f"(transaction {self.transaction}, {self.trades} trades)"
        )


@dataclass(frozen=True)
class SettleReport:
    batch_id: bytes
    already_settled: bool
    trades: int
    gross_yen: int
    moved_yen: int
    settled: Settled | None = None

    def settled_when(self) -> str:
        return self.settled.describe() if self.settled else "not settled"


def settled_at(batch: Any, batch_id: bytes) -> Settled | None:
    """The BatchSettled event of `batch_id`, if any (one log query on its indexed id)."""
    logs = chain.provider.web3.eth.get_logs(
        {
            "address": str(batch.address),
            "fromBlock": 0,
            "toBlock": "latest",
            "topics": ["0x" + _BATCH_SETTLED.hex(), "0x" + batch_id.hex()],
        }
    )
    if not logs:
        return None
    log = logs[0]
    block = int(log["blockNumber"])
    trades = decode(["uint256"] * 4, bytes(log["data"]))[0]
    return Settled(
        block,
        int(chain.blocks[block].timestamp),
        "0x" + bytes(log["transactionHash"]).hex().removeprefix("0x"),
        int(trades),
    )


def _reason_text(reason: bytes) -> str:
    if reason[:4] == _TRANSFER_RESTRICTED:
        code, sender, recipient, value = decode(
            ["uint8", "address", "address", "uint256"], reason[4:]
        )
        return (
            f"the token refuses it: {Restriction(code).name} (ERC-1404 code {code}) for "
            f"{value} units {to_checksum_address(sender)} -> {to_checksum_address(recipient)}"
        )
    return f"refused by the token or coin (revert data 0x{reason.hex()})"


def plan_batch(
    platform: Platform, executions_csv: Path, venue_agent: Any, reference: str | None = None
) -> BatchPlan:
    """Validates the file and dry-runs the batch.

    Raises:
        InputError: every problem, naming the row and field.
    """
    loaded = load_executions(executions_csv, known_symbols=set(platform.manifest.tokens))
    reference = reference or executions_csv.stem
    batch = platform.batch
    yen = platform.yen
    tokens = {symbol: platform.token(symbol) for symbol in {r.symbol for r in loaded}}
    executions = [
        Execution(
            row.seller_wallet,
            row.buyer_wallet,
            tokens[row.symbol].address,
            row.quantity,
            row.yen_amount,
            number,
        )
        for number, row in loaded.rows
    ]
    net = net_yen(executions)
    batch_id = content_batch_id(executions, [row.trade_id for _, row in loaded.rows])
    args = (batch_id, *build_batch(executions).args())
    plan = BatchPlan(platform, reference, batch_id, tuple(loaded.rows), args, net)
    if batch.isSettled(batch_id):
        return plan  # settled before (this file, or a stopped run): nothing left to check
    issues: list[InputIssue] = []
    needed: dict[tuple[str, str], tuple[int, int]] = {}
    for number, row in loaded.rows:
        first, total = needed.get((row.seller_wallet, row.symbol), (number, 0))
        needed[(row.seller_wallet, row.symbol)] = (first, total + row.quantity)
    for (seller, symbol), (number, quantity) in needed.items():
        locked = int(tokens[symbol].lockedOf(batch, seller))
        if locked < quantity:
            issues.append(
                loaded.issue(
                    number,
                    "quantity",
                    f"{seller} sells {quantity} "
                    f"{symbol} in this file but has locked only {locked} to "
                    "the venue (token.lock(venue, units))",
                )
            )
    first_buy = {}
    for number, row in loaded.rows:
        first_buy.setdefault(row.buyer_wallet, number)
    for wallet, amount in net.items():
        if amount >= 0:
            continue
        pay = -amount
        allowance, balance = int(yen.allowance(wallet, batch)), int(yen.balanceOf(wallet))
        if allowance < pay or balance < pay:
            issues.append(
                loaded.issue(
                    first_buy.get(wallet, 0),
                    "yen_amount",
                    f"{wallet} pays "
                    f"a net {pay:,} yen in this batch but has a balance of "
                    f"{balance:,} and allows the venue {allowance:,}",
                )
            )
    if issues:
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    _dry_run(plan, venue_agent, loaded)
    return plan


def _dry_run(plan: BatchPlan, venue_agent: Any, loaded: Any) -> None:
    try:
        plan.platform.batch.settleBatch.call(*plan.args, sender=venue_agent)
    except ContractLogicError as exc:
        inputs = getattr(exc, "inputs", {}) or {}
        index = inputs.get("index")
        if type(exc).__name__ == "BatchTradeFailed" and index is not None:
            number = plan.rows[int(index)][0]
            raise InputError(
                [loaded.issue(number, None, _reason_text(bytes(inputs["reason"])))]
            ) from exc
        row = (
            plan.rows[int(index)][0] if isinstance(index, int) and index < len(plan.rows) else None
        )
        raise InputError(
            [loaded.issue(row, None, f"the batch would be refused: {revert_reason(exc)}")]
        ) from exc


def settle(plan: BatchPlan, venue_agent: Any) -> SettleReport:
    batch = plan.platform.batch
    if batch.isSettled(plan.batch_id):
        return SettleReport(
            plan.batch_id,
            True,
            len(plan.rows),
            plan.gross_yen,
            0,
            settled_at(batch, plan.batch_id),
        )
    receipt = send(batch.settleBatch, *plan.args, sender=venue_agent)
    events = list(receipt.events.filter(batch.BatchSettled))
    moved = int(events[0].yenMoved) if events else 0
    return SettleReport(
        plan.batch_id,
        False,
        len(plan.rows),
        plan.gross_yen,
        moved,
        settled_at(batch, plan.batch_id),
    )
