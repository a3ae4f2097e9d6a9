"""The issuer's approval queue: transfer applications on approval-required tokens (excluded
Class 2 rights and any token whose rules require approval). List, approve or reject, one by
one or in bulk. Each approval is simulated first (the token checks every rule again: KYC,
class, holder cap ...); a refused one is reported with its reason and nothing is sent.
Resumable: an application is done once it is no longer pending.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ape import chain
from ape.exceptions import ContractLogicError
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from kabuto.batching import BatchJob, BatchReport, run_batches
from kabuto.domain import jst_date
from kabuto.errors import ChainStateError, InputError, InputIssue
from kabuto.ops.chain import revert_reason, send

STATUSES = ("None", "Pending", "Approved", "Rejected", "Cancelled", "Expired")
PENDING = 1
STATUS_BITS = 7  # the record's low bits holding the status (TokenApprovals._STATUS_BITS)


@dataclass(frozen=True)
class Application:
    id: int
    sender: str
    recipient: str
    value: int
    expiry: int
    status: int

    @property
    def status_name(self) -> str:
        return STATUSES[self.status]

    @property
    def fields(self) -> tuple[int, str, str, int, int]:
        """ISecurityToken.Application (id, applicant, to, expiry, value): what every decision
        on it passes to the token."""
        return (self.id, self.sender, self.recipient, self.expiry, self.value)

    def describe(self) -> str:
        expiry = jst_date(self.expiry).isoformat() if self.expiry else "never"
        return (
            f"#{self.id} {self.status_name:<9} {self.value} units {self.sender} -> "
            f"{self.recipient} (expires {expiry})"
        )


def fields_hash(sender: str, recipient: str, value: int, expiry: int) -> bytes:
    """What the token stores of an application besides its status (TokenApprovals._fieldsHash):
    keccak256(abi.encode(applicant, to, value, expiry)) with the low 3 bits cleared."""
    digest = keccak(
        encode(["address", "address", "uint256", "uint40"], [sender, recipient, value, expiry])
    )
    return digest[:-1] + bytes([digest[-1] & ~STATUS_BITS & 0xFF])


def _from_log(log: Any, status: int) -> Application:
    return Application(
        int(log.id),
        to_checksum_address(log["from"]),
        to_checksum_address(log.to),
        int(log.value),
        int(log.expiry),
        status,
    )


def _status(token: Any, application_id: int, app: Application) -> int:
    """The application's status on chain; a pending one's stored hash must be its event's
    fields (the token keeps only the hash: the fields come from TransferApplied)."""
    record = token.application(application_id)
    status = int(record.status)
    if status == PENDING and bytes(record.fieldsHash) != fields_hash(
        app.sender, app.recipient, app.value, app.expiry
    ):
        raise ChainStateError(
            f"application #{application_id}: its TransferApplied event does not match the "
            "token's record (wrong token or a reorganised chain?)"
        )
    return status


def applied(token: Any, receipt: Any) -> Application:
    """The application filed by `receipt` (an applyForTransfer), from its TransferApplied."""
    return _from_log(receipt.events.filter(token.TransferApplied)[0], PENDING)


def applications(token: Any, pending_only: bool = True) -> list[Application]:
    """Every application of `token` (or the pending ones): the fields from the TransferApplied
    events, the status from the token (one slot per application: the fields' hash + status)."""
    found = []
    for log in token.TransferApplied.range(0, chain.blocks.height + 1):
        app = _from_log(log, 0)
        status = _status(token, app.id, app)
        if status == PENDING or not pending_only:
            found.append(replace(app, status=status))
    return sorted(found, key=lambda a: a.id)


def application(token: Any, application_id: int) -> Application:
    """Application `application_id` of `token`: its TransferApplied fields and current status.

    Raises:
        ChainStateError: no such application (or its event is not on this node).
    """
    logs = list(
        token.TransferApplied.range(
            0, chain.blocks.height + 1, search_topics={"id": application_id}
        )
    )
    if not logs:
        raise ChainStateError(
            f"no application #{application_id} (the token has {int(token.applicationCount())})"
        )
    app = _from_log(logs[0], 0)
    return replace(app, status=_status(token, application_id, app))


def _selected(token: Any, ids: Sequence[int] | None) -> list[Application]:
    if ids is None:
        return applications(token)
    count = int(token.applicationCount())
    every = {a.id: a for a in applications(token, pending_only=False)} if ids else {}
    issues = []
    chosen = []
    for position, application_id in enumerate(ids, start=1):
        app = every.get(application_id)
        if app is None:
            issues.append(
                InputIssue(
                    "--id",
                    position,
                    "id",
                    f"no application #{application_id} (the token has {count})",
                )
            )
            continue
        if app.status != PENDING:
            issues.append(
                InputIssue(
                    "--id",
                    position,
                    "id",
                    f"application #{application_id} is {app.status_name}, not pending",
                )
            )
        chosen.append(app)
    if issues:
        raise InputError(issues)
    return chosen


def decide(
    token: Any,
    agent: Any,
    approve: bool,
    ids: Sequence[int] | None = None,
    reason: str = "",
    batch_size: int = 50,
    progress: bool = True,
    dry_run: bool = False,
) -> BatchReport:
    """Approves (in `batchApproveTransfer` chunks) or rejects the applications `ids` (None:
    every pending one). Approvals are simulated first; nothing is sent if any would fail.
    `dry_run`: only the checks; the report's total is what would be decided, nothing is sent."""
    chosen = _selected(token, ids)
    data = reason.encode("utf-8")
    if approve:
        issues = []
        for app in chosen:
            try:
                token.approveTransfer.call(app.fields, data, sender=agent)
            except ContractLogicError as exc:
                issues.append(
                    InputIssue(
                        "approval queue",
                        app.id,
                        "id",
                        f"application #{app.id} would be refused: {revert_reason(exc)}",
                    )
                )
        if issues:
            raise InputError(issues)
    if dry_run:
        return BatchReport(len(chosen), 0, 0, 0, 0)

    def done_keys(keys: Sequence[int]) -> Collection[int]:
        return {k for k in keys if int(token.application(k).status) != PENDING}

    def send_chunk(chunk: list[Application]) -> None:
        if approve:
            send(token.batchApproveTransfer, [a.fields for a in chunk], data, sender=agent)
        else:
            for app in chunk:
                send(token.rejectTransfer, app.fields, data, sender=agent)

    job: BatchJob[Application, int] = BatchJob(
        items=chosen,
        key=lambda a: a.id,
        done_keys=done_keys,
        send=send_chunk,
        batch_size=batch_size,
        description="approving" if approve else "rejecting",
        unit="application",
    )
    return run_batches(job, progress=progress)


@dataclass(frozen=True)
class QueueEntry:
    """An application as the issuer reads it: who (investor ids, names), note and date."""

    application: Application
    applied_on: str
    note: str
    sender_id: str
    recipient_id: str
    sender_name: str
    recipient_name: str

    def describe(self) -> str:
        app = self.application
        expiry = jst_date(app.expiry).isoformat() if app.expiry else "never"

        def party(investor_id: str, name: str, wallet: str) -> str:
            who = investor_id or "unregistered"
            return f"{who}{f' {name}' if name else ''} ({wallet})"

        return (
            f"#{app.id} {app.status_name:<9} {app.value} units "
            f"{party(self.sender_id, self.sender_name, app.sender)} -> "
            f"{party(self.recipient_id, self.recipient_name, app.recipient)}; applied "
            f"{self.applied_on}, expires {expiry}; note: {self.note or '-'}"
        )


def queue_entries(
    token: Any, registry: Any, found: Sequence[Application], names: dict[str, str]
) -> list[QueueEntry]:
    """The applications with their TransferApplied note and date, the parties' investor ids
    and (from `names`: investor id -> name, decrypted by the caller with the issuer's key)
    names."""
    applied = {}
    for log in token.TransferApplied.range(0, chain.blocks.height + 1):
        applied[int(log.id)] = (int(log.block_number), bytes(log.data))

    def investor_of(wallet: str) -> str:
        raw = bytes(registry.investorIdOf(wallet))
        return raw.rstrip(b"\0").decode("utf-8", "replace")

    entries = []
    for app in found:
        block, data = applied.get(app.id, (None, b""))
        day = jst_date(int(chain.blocks[block].timestamp)).isoformat() if block else "?"
        sender_id, recipient_id = investor_of(app.sender), investor_of(app.recipient)
        entries.append(
            QueueEntry(
                app,
                day,
                data.decode("utf-8", "replace"),
                sender_id,
                recipient_id,
                names.get(sender_id, ""),
                names.get(recipient_id, ""),
            )
        )
    return entries
