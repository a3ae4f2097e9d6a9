"""Settling the venue's executions on-chain: netted batches through BatchSettlement, with the
executions the chain refuses taken out and reported (the fails list) instead of halting.

One settlement round:
1. Batches formed earlier and not known to be settled (a crash between forming and recording)
   are resolved first: the same batch (same trades, so the same batch id) is sent again; the
   contract settles a batch id once, so a batch that did settle before is only recorded.
2. The pending executions are dry-run as one batch on the chain (``eth_call``). While the
   chain refuses it, the refusal names the trade (``BatchTradeFailed(index, tokenError)``,
   ``BatchApprovalRequired(index, ...)``) or the payer (``BatchPaymentFailed``: its latest
   purchase goes); that execution goes on the fails list with its restriction code and the
   rest is tried again. A trade is never split: it settles whole or fails whole.
3. What is left is written as an executions file (the one ``ape run settle_batch`` reads),
   recorded in the journal as a batch, and sent through ``kabuto.ops.settle``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import networks
from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from kabuto.errors import ChainStateError, InputError
from kabuto.onchain_types import Restriction
from kabuto.ops.chain import Platform
from kabuto.ops.settle import plan_batch, settle
from kabuto.settlement import Execution as SettlementExecution
from kabuto.settlement import build_batch
from kabuto.venue.engine import Venue
from kabuto.venue.files import write_executions
from kabuto.venue.model import Execution

_TRANSFER_RESTRICTED = keccak(text="TransferRestricted(uint8,address,address,uint256)")[:4]
_INSUFFICIENT_LOCKED = keccak(text="TokenInsufficientLocked(address,address,uint256,uint256)")[:4]
_BATCH_TRADE_FAILED = keccak(text="BatchTradeFailed(uint256,bytes)")[:4]
_BATCH_APPROVAL_REQUIRED = keccak(text="BatchApprovalRequired(uint256,address,address)")[:4]
_BATCH_PAYMENT_FAILED = keccak(text="BatchPaymentFailed(uint256,address,uint256,uint256,uint256)")[
    :4
]


class SettlementHalted(ChainStateError):
    """The chain refuses the batch as a whole (not one trade): settlement stops and nothing is
    lost; the message says what to fix (e.g. the venue agent's role)."""


@dataclass(frozen=True)
class BatchResult:
    reference: str
    batch_id: str
    trades: tuple[str, ...]
    gross_yen: int
    moved_yen: int
    already_settled: bool


@dataclass(frozen=True)
class Fail:
    trade_id: str
    code: int | None
    reason: str


@dataclass
class Round:
    batches: list[BatchResult] = field(default_factory=list)
    fails: list[Fail] = field(default_factory=list)


def batch_reference(venue: Venue, trade_ids: list[str]) -> str:
    """The batch's reference, from its content: the venue, the day and its trades, so the same
    trades always make the same batch (and the same batch id on the chain)."""
    digest = hashlib.sha256("\n".join(trade_ids).encode()).hexdigest()[:16]
    return f"{venue.config.venue}-{venue.day:%Y%m%d}-{digest}"


def submit_batch(platform: Platform, path: Path, agent: Any, reference: str) -> BatchResult:
    """Sends one executions file through the operator job that `ape run settle_batch` runs
    (kabuto.ops.settle: checks, dry run, one all-or-nothing transaction); the one place the
    venue depends on how a batch is identified."""
    plan = plan_batch(platform, path, agent, reference)
    report = settle(plan, agent)
    return BatchResult(
        reference,
        "0x" + plan.batch_id.hex(),
        tuple(row.trade_id for _, row in plan.rows),
        plan.gross_yen,
        report.moved_yen,
        report.already_settled,
    )


class Settler:
    """Settles one venue's executions on one chain, signing as the venue's settlement agent.
    Batch files go to ``out_dir``."""

    def __init__(
        self,
        venue: Venue,
        platform: Platform,
        agent: Any,
        out_dir: Path,
        echo: Callable[[str], None] = lambda _: None,
    ):
        self.venue = venue
        self.platform = platform
        self.agent = agent
        self.out_dir = out_dir
        self.echo = echo

    def settle_round(self) -> Round:
        result = Round()
        for reference in self._open_batches():
            result.batches += self._resolve(reference, result)
        pending = self.venue.unsettled()
        while pending:
            refusal = self._dry_run(pending)
            if refusal is None:
                result.batches.append(self._send(pending))
                break
            index, code, reason = refusal
            failed = pending.pop(index)
            self.venue.mark_failed(failed.trade_id, code, reason)
            result.fails.append(Fail(failed.trade_id, code, reason))
            self.echo(f"  fail: {failed.trade_id} {reason}")
        return result

    def _open_batches(self) -> list[str]:
        return list(
            dict.fromkeys(
                t.batch for t in self.venue.trades.values() if t.status == "batched" and t.batch
            )
        )

    def _resolve(self, reference: str, result: Round) -> list[BatchResult]:
        """A batch formed before a crash: settle it as formed, or put its trades back."""
        trades = [t.execution for t in self.venue.trades.values() if t.batch == reference]
        path = self.out_dir / f"{reference}.csv"
        write_executions(path, trades)
        try:
            sent = submit_batch(self.platform, path, self.agent, reference)
        except InputError:
            self.venue.unbatch(reference)  # the chain refuses it as formed: form anew
            return []
        self.venue.mark_settled(reference, sent.batch_id)
        return [sent]

    def _send(self, executions: list[Execution]) -> BatchResult:
        ids = [e.trade_id for e in executions]
        reference = batch_reference(self.venue, ids)
        path = write_executions(self.out_dir / f"{reference}.csv", executions)
        self.venue.mark_batched(reference, ids)
        try:
            sent = submit_batch(self.platform, path, self.agent, reference)
        except InputError as exc:
            self.venue.unbatch(reference)
            raise SettlementHalted(
                f"batch {reference} passed the dry run but was refused when sent: {exc}"
            ) from exc
        self.venue.mark_settled(reference, sent.batch_id)
        self.echo(
            f"  batch {reference}: {len(ids)} trades, gross {sent.gross_yen:,} yen, "
            f"{sent.moved_yen:,} yen moved after netting"
        )
        return sent

    def _dry_run(self, executions: list[Execution]) -> tuple[int, int | None, str] | None:
        """The chain's verdict on the batch (``eth_call`` of settleBatch as the agent): None
        when it settles, else (index of the trade to take out, restriction code, reason)."""
        tokens = {s: str(self.platform.token(s).address) for s in {e.symbol for e in executions}}
        batch = build_batch(
            SettlementExecution(
                e.seller_wallet, e.buyer_wallet, tokens[e.symbol], e.quantity, e.yen_amount
            )
            for e in executions
        )
        probe = keccak(text=batch_reference(self.venue, [e.trade_id for e in executions]))
        contract = self.platform.batch
        data = contract.settleBatch.encode_input(probe, *batch.args())
        call = {"from": str(self.agent.address), "to": str(contract.address), "data": data}
        try:
            networks.provider.web3.eth.call(call)  # type: ignore[arg-type]
        except Exception as exc:  # web3 raises one of several types; the revert data decides
            revert = _revert_data(exc)
            if revert is None:
                raise SettlementHalted(f"the dry run of the batch failed: {exc}") from exc
            return _refused_trade(revert, executions)
        return None


def _revert_data(exc: Exception) -> bytes | None:
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    return None


def _refused_trade(revert: bytes, executions: list[Execution]) -> tuple[int, int | None, str]:
    """Which trade the batch's refusal names, with its code and reason."""
    selector, body = revert[:4], revert[4:]
    if selector == _BATCH_TRADE_FAILED:
        index, reason = decode(["uint256", "bytes"], body)
        code, text = token_refusal(bytes(reason))
        return int(index), code, text
    if selector == _BATCH_APPROVAL_REQUIRED:
        index, _, _ = decode(["uint256", "address", "address"], body)
        code = int(Restriction.APPROVAL_REQUIRED)
        return (
            int(index),
            code,
            (
                "the token needs the issuer's approval and the venue's agent cannot give it "
                f"({Restriction(code).name}, ERC-1404 code {code})"
            ),
        )
    if selector == _BATCH_PAYMENT_FAILED:
        _, wallet, amount, allowance, balance = decode(
            ["uint256", "address", "uint256", "uint256", "uint256"], body
        )
        wallet = to_checksum_address(wallet)
        buys = [i for i, e in enumerate(executions) if e.buyer_wallet == wallet]
        if buys:
            return (
                buys[-1],
                None,
                (
                    f"the buyer's yen could not be pulled: it owes {amount:,} net, allows "
                    f"{allowance:,} and holds {balance:,}"
                ),
            )
    raise SettlementHalted(
        f"the chain refuses the whole batch, not one trade (revert data 0x{revert.hex()}); "
        "nothing was settled and no execution is lost: fix this and settle again"
    )


def token_refusal(reason: bytes) -> tuple[int | None, str]:
    """A security leg's revert data as (ERC-1404 code or None, words)."""
    if reason[:4] == _TRANSFER_RESTRICTED:
        code, sender, recipient, value = decode(
            ["uint8", "address", "address", "uint256"], reason[4:]
        )
        return int(code), (
            f"the token refuses it: {Restriction(code).name} (ERC-1404 code {code}) for {value} "
            f"units {to_checksum_address(sender)} -> {to_checksum_address(recipient)}"
        )
    if reason[:4] == _INSUFFICIENT_LOCKED:
        _, account, locked, needed = decode(
            ["address", "address", "uint256", "uint256"], reason[4:]
        )
        return None, (
            f"the seller {to_checksum_address(account)} has {locked} units locked to the venue, "
            f"the trade needs {needed}"
        )
    return None, f"the token refuses it (revert data 0x{reason.hex()})"
