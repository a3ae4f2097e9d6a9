"""What the console pages read from the service's index (kabuto.service.db): plain queries,
paged where a table can be long. The indexer writes these tables; the console only reads
them (and submits jobs through the service)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kabuto.onchain_types import InvestorClass, InvestorStatus, TaxStatus
from kabuto.service.db import (
    Application,
    DvpInstruction,
    EventRow,
    HolderPayment,
    Holding,
    Investor,
    Job,
    Payment,
    RecordDateRow,
    TokenRow,
    TransferRow,
    Wallet,
)

AUDIT_LIMIT = 200


SECURITY_KINDS = ("bond", "beneficiary")


def tokens(session: Session) -> Sequence[TokenRow]:
    """The securities (the index also keeps the yen coin's supply)."""
    return session.scalars(
        select(TokenRow).where(TokenRow.kind.in_(SECURITY_KINDS)).order_by(TokenRow.symbol)
    ).all()


def token(session: Session, symbol: str) -> TokenRow | None:
    return session.scalars(select(TokenRow).where(TokenRow.symbol == symbol)).first()


def record_dates(session: Session, address: str) -> Sequence[RecordDateRow]:
    return session.scalars(
        select(RecordDateRow).where(RecordDateRow.token == address).order_by(RecordDateRow.index)
    ).all()


def token_symbols(session: Session) -> dict[str, str]:
    """Token address -> symbol."""
    return dict(session.execute(select(TokenRow.address, TokenRow.symbol)).all())


def pending_applications(session: Session) -> Sequence[Application]:
    return session.scalars(
        select(Application)
        .where(Application.status == "pending")
        .order_by(Application.token, Application.application_id)
    ).all()


def open_instructions(session: Session) -> Sequence[DvpInstruction]:
    """DvP instructions not yet settled or closed (awaiting approval or the counterparty)."""
    return session.scalars(
        select(DvpInstruction)
        .where(DvpInstruction.status.in_(("open", "approved")))
        .order_by(DvpInstruction.created_block)
    ).all()


@dataclass(frozen=True)
class InvestorLine:
    investor: Investor
    class_label: str
    status_label: str
    tax_label: str


def _label(enum: type, value: int) -> str:
    try:
        member = enum(value)
    except ValueError:
        return str(value)
    return getattr(member, "label", member.name)


def describe(investor: Investor) -> InvestorLine:
    return InvestorLine(
        investor,
        _label(InvestorClass, investor.investor_class),
        _label(InvestorStatus, investor.status),
        _label(TaxStatus, investor.tax_status),
    )


def search_investors(
    session: Session, text: str, ids_by_name: Sequence[str] = (), limit: int = 100
) -> list[InvestorLine]:
    """Investors whose id or any wallet (current or past) contains `text`, or whose id is in
    `ids_by_name` (the ids whose decrypted names matched: names are not stored in clear)."""
    query = select(Investor).order_by(Investor.investor_id).limit(limit)
    text = text.strip()
    if text or ids_by_name:
        like = f"%{text.lower()}%"
        wallet_ids = select(Wallet.investor_id).where(func.lower(Wallet.address).like(like))
        conditions = [Investor.investor_id.in_(list(ids_by_name))]
        if text:
            conditions += [
                func.lower(Investor.investor_id).like(like),
                Investor.investor_id.in_(wallet_ids),
            ]
        query = query.where(or_(*conditions))
    return [describe(i) for i in session.scalars(query).all()]


def investor(session: Session, investor_id: str) -> Investor | None:
    return session.get(Investor, investor_id)


def wallets_of(session: Session, investor_id: str) -> Sequence[Wallet]:
    return session.scalars(
        select(Wallet).where(Wallet.investor_id == investor_id).order_by(Wallet.since_block)
    ).all()


def holdings_of(session: Session, wallets: Sequence[str]) -> Sequence[tuple[str, Holding]]:
    """(symbol, holding) for every non-zero holding of the wallets."""
    return session.execute(
        select(TokenRow.symbol, Holding)
        .join(TokenRow, TokenRow.address == Holding.token)
        .where(Holding.wallet.in_(list(wallets)), Holding.units > 0)
        .order_by(TokenRow.symbol)
    ).all()


def audit_trail(
    session: Session, investor_id: str, wallets: Sequence[str], limit: int = AUDIT_LIMIT
) -> Sequence[EventRow]:
    """The investor's events, newest first: every event whose arguments name the investor
    id or one of its wallets (the indexer keeps each event's decoded arguments)."""
    needles = [investor_id, *wallets]
    text = func.lower(func.cast(EventRow.args, _text_type()))
    return session.scalars(
        select(EventRow)
        .where(or_(*[text.like(f"%{n.lower()}%") for n in needles]))
        .order_by(EventRow.block_number.desc(), EventRow.log_index.desc())
        .limit(limit)
    ).all()


def _text_type():  # type: ignore[no-untyped-def]
    from sqlalchemy import Text

    return Text()


def payments(session: Session) -> Sequence[Payment]:
    return session.scalars(select(Payment).order_by(Payment.payment_id)).all()


@dataclass(frozen=True)
class PaymentTotals:
    """A payment's yen totals; funded = paid (net) + withheld + held + unpaid."""

    funded: int
    paid: int
    withheld: int
    held: int
    released: int

    @property
    def unpaid(self) -> int:
        return self.funded - self.paid - self.withheld - self.held

    @property
    def reconciles(self) -> bool:
        return (
            self.unpaid >= 0 and self.paid + self.withheld + self.held + self.unpaid == self.funded
        )


def payment_totals(session: Session, payment: Payment) -> PaymentTotals:
    rows = session.execute(
        select(
            HolderPayment.status,
            func.coalesce(func.sum(HolderPayment.net), 0),
            func.coalesce(func.sum(HolderPayment.national_tax + HolderPayment.local_tax), 0),
        )
        .where(HolderPayment.payment_id == payment.payment_id)
        .group_by(HolderPayment.status)
    ).all()
    by_status = {status: (int(net), int(tax)) for status, net, tax in rows}
    paid_net = by_status.get("paid", (0, 0))[0] + by_status.get("released", (0, 0))[0]
    withheld = sum(tax for _, tax in by_status.values())
    held = by_status.get("held", (0, 0))[0]
    return PaymentTotals(
        funded=int(payment.funded) - int(payment.reclaimed),
        paid=paid_net,
        withheld=withheld,
        held=held,
        released=by_status.get("released", (0, 0))[0],
    )


def held_payments(session: Session) -> Sequence[HolderPayment]:
    return session.scalars(
        select(HolderPayment)
        .where(HolderPayment.status == "held")
        .order_by(HolderPayment.payment_id, HolderPayment.holder)
    ).all()


_HISTORY: dict[str, tuple[int, list[tuple[int, int, int]]]] = {}


def supply_history(session: Session, address: str) -> list[tuple[int, int, int]]:
    """(timestamp, supply, holders) after every block with a transfer of the token; kept in
    memory until the token has a new transfer (the chart of a busy token costs one replay)."""
    last = session.scalar(select(func.max(TransferRow.id)).where(TransferRow.token == address))
    cached = _HISTORY.get(address)
    if cached is not None and cached[0] == (last or 0):
        return cached[1]
    points = _replay_history(session, address)
    _HISTORY[address] = (last or 0, points)
    return points


def _replay_history(session: Session, address: str) -> list[tuple[int, int, int]]:
    points: list[tuple[int, int, int]] = []
    balances: dict[str, int] = {}
    supply = holders = 0
    zero = "0x" + "0" * 40
    rows = session.execute(
        select(
            TransferRow.block_number,
            TransferRow.timestamp,
            TransferRow.sender,
            TransferRow.recipient,
            TransferRow.value,
        )
        .where(TransferRow.token == address)
        .order_by(TransferRow.block_number, TransferRow.log_index)
    )
    last_block = None
    for block, stamp, sender, recipient, value in rows:
        for wallet, delta in ((sender, -value), (recipient, value)):
            if wallet == zero:
                supply -= delta
                continue
            before = balances.get(wallet, 0)
            after = balances[wallet] = before + delta
            holders += (after > 0) - (before > 0)
        if block == last_block:
            points[-1] = (stamp, supply, holders)
        else:
            points.append((stamp, supply, holders))
        last_block = block
    return points


def jobs(session: Session, limit: int = 20) -> Sequence[Job]:
    return session.scalars(select(Job).order_by(Job.created_at.desc()).limit(limit)).all()


def job(session: Session, job_id: str) -> Job | None:
    return session.get(Job, job_id)


def chain_now(session: Session) -> int:
    """The platform's "now": the later of the wall clock and the last indexed block's time
    (a test or demo chain runs ahead of the calendar)."""
    import time

    last = session.scalar(select(func.max(EventRow.timestamp)))
    return max(int(time.time()), int(last or 0))


def frozen_wallets(session: Session) -> set[tuple[str, str]]:
    """(token, wallet) of every frozen holding."""
    return set(
        session.execute(select(Holding.token, Holding.wallet).where(Holding.frozen.is_(True))).all()
    )
