"""Paying interest or distributions for a record date, and redeeming a bond at maturity,
through CorporateActions: declare (once), fund (the paying agent's yen), pay the holders in
resumable batches. Amounts are computed on-chain from the record-date snapshot; a holder is
done when the contract's entry for it is no longer unpaid (redemption: its units are burned).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ape import chain

from kabuto.batching import BatchJob, BatchReport, run_batches
from kabuto.coupons import end_of_jst_day, jst_midnight
from kabuto.domain import jst_date
from kabuto.errors import ChainStateError, InputError
from kabuto.lots import ZERO_ADDRESS
from kabuto.onchain_types import Kind
from kabuto.ops.chain import Platform, send

INTEREST, DISTRIBUTION, REDEMPTION = 0, 1, 2
DECLARED, FUNDED = 1, 2
UNPAID = 0
DEFAULT_CLAIM_DAYS = 90


@dataclass
class PaymentReport:
    payment_id: int
    kind: str
    declared_now: bool
    funded_now: int  # yen pulled from the payer by this run
    batches: BatchReport
    gross: int
    tax: int
    net: int


def holder_candidates(token: Any) -> list[str]:
    """Every wallet that ever received the token (from its Transfer events), in order."""
    seen: dict[str, None] = {}
    for log in token.Transfer.range(0, chain.blocks.height + 1):
        recipient = str(log.to)
        if recipient != ZERO_ADDRESS:
            seen.setdefault(recipient, None)
    return list(seen)


def _find_payment(corporate: Any, token: str, kind: int, record_index: int | None) -> int | None:
    for payment_id in range(int(corporate.paymentCount()), 0, -1):
        p = corporate.payment(payment_id)
        if (
            str(p.token) == token
            and int(p.kind) == kind
            and (record_index is None or int(p.recordIndex) == record_index)
        ):
            return payment_id
    return None


def _record_index(token: Any, record_day: date) -> int:
    wanted = end_of_jst_day(record_day)
    scheduled = [int(token.recordDate(i)) for i in range(int(token.recordDateCount()))]
    if wanted not in scheduled:
        shown = ", ".join(jst_date(t).isoformat() for t in scheduled) or "none"
        raise InputError.single(
            "--record-date",
            f"{record_day} is not a record date of {token.symbol()} (its record dates: {shown})",
        )
    return scheduled.index(wanted)


def _fund(platform: Platform, payment_id: int, payer: Any) -> int:
    """Funds what the payment still needs from `payer` (approving exactly that)."""
    corporate, yen = platform.corporate, platform.yen
    p = corporate.payment(payment_id)
    token = platform.token_by_address(str(p.token))
    if int(p.kind) == REDEMPTION:
        outstanding = int(token.totalSupply()) * int(p.callNumerator) // int(p.callDenominator)
        required = (
            int(p.paid)
            + int(p.withheld)
            + int(p.held)
            + outstanding * int(p.amountNumerator) // int(p.amountDenominator)
        )
    else:
        required = (
            int(token.totalSupplyAtRecordDate(int(p.recordIndex)))
            * int(p.amountNumerator)
            // int(p.amountDenominator)
        )
    missing = required - int(p.funded)
    if missing <= 0:
        return 0
    balance = int(yen.balanceOf(payer))
    if balance < missing:
        raise ChainStateError(
            f"the payer {payer.address} holds {balance:,} yen coin but payment "
            f"{payment_id} needs {missing:,} more: have the trust bank mint "
            "or transfer yen to it first"
        )
    if int(yen.allowance(payer, corporate)) < missing:
        send(yen.approve, corporate, missing, sender=payer)
    send(corporate.fund, payment_id, sender=payer)
    return missing


def _pay(
    platform: Platform,
    payment_id: int,
    token: Any,
    agent: Any,
    redemption: bool,
    batch_size: int,
    progress: bool,
) -> tuple[BatchReport, int, int, int]:
    corporate = platform.corporate
    p = corporate.payment(payment_id)
    if chain.pending_timestamp < int(p.paymentDate):
        raise ChainStateError(
            f"payment {payment_id} is payable from "
            f"{jst_date(int(p.paymentDate))}; run this on or after that day"
        )
    holders = []
    totals = [0, 0, 0]
    for wallet in holder_candidates(token):
        units, gross, tax, net = (int(x) for x in corporate.entitlementOf(payment_id, wallet))
        state = int(corporate.entryOf(payment_id, wallet)[0])
        if units or state != UNPAID:
            holders.append(wallet)
            for i, value in enumerate((gross, tax, net)):
                totals[i] += value

    def done_keys(keys: Sequence[str]) -> Collection[str]:
        if redemption:
            return {k for k in keys if int(token.balanceOf(k)) == 0}
        return {k for k in keys if int(corporate.entryOf(payment_id, k)[0]) != UNPAID}

    def send_chunk(chunk: list[str]) -> None:
        send(corporate.payBatch, payment_id, chunk, sender=agent)

    job: BatchJob[str, str] = BatchJob(
        items=holders,
        key=lambda h: h,
        done_keys=done_keys,
        send=send_chunk,
        batch_size=batch_size,
        description=f"paying {token.symbol()}",
        unit="holder",
    )
    return run_batches(job, progress=progress), totals[0], totals[1], totals[2]


def pay_record_date(
    platform: Platform,
    symbol: str,
    record_day: date,
    agent: Any,
    payer: Any | None = None,
    amount_per_unit: int | None = None,
    claim_days: int = DEFAULT_CLAIM_DAYS,
    batch_size: int = 100,
    progress: bool = True,
) -> PaymentReport:
    """Interest (bond: the coupon whose record date is `record_day`) or a distribution
    (beneficiary: `amount_per_unit` yen, paid on the terms' payment date for that record
    date) to the holders of record."""
    payer = payer or agent
    token = platform.token(symbol)
    corporate = platform.corporate
    record_index = _record_index(token, record_day)
    bond = int(token.kind()) == int(Kind.BOND)
    kind = INTEREST if bond else DISTRIBUTION
    payment_id = _find_payment(corporate, str(token.address), kind, record_index)
    declared = False
    if payment_id is None:
        if chain.pending_timestamp <= end_of_jst_day(record_day):
            raise ChainStateError(
                f"the record date {record_day} has not passed yet; the "
                "holders of record are known from the next day"
            )
        if bond:
            terms = token.bondTerms()
            records = [int(t) for t in terms.interestRecordDates]
            coupon = records.index(end_of_jst_day(record_day))
            pay_day = jst_date(int(terms.interestPaymentDates[coupon]))
            deadline = jst_midnight(pay_day + timedelta(days=claim_days))
            send(corporate.declareInterest, token, coupon, record_index, deadline, sender=agent)
        else:
            if not amount_per_unit:
                raise InputError.single(
                    "--amount-per-unit", "a distribution needs its amount per unit in yen"
                )
            terms = token.beneficiaryTerms()
            records = [int(t) for t in terms.distributionRecordDates]
            pay_day = jst_date(
                int(terms.distributionPaymentDates[records.index(end_of_jst_day(record_day))])
            )
            send(
                corporate.declareDistribution,
                token,
                record_index,
                amount_per_unit,
                jst_midnight(pay_day),
                jst_midnight(pay_day + timedelta(days=claim_days)),
                sender=agent,
            )
        payment_id = int(corporate.paymentCount())
        declared = True
    funded = _fund(platform, payment_id, payer)
    report, gross, tax, net = _pay(platform, payment_id, token, agent, False, batch_size, progress)
    return PaymentReport(
        payment_id,
        "interest" if bond else "distribution",
        declared,
        funded,
        report,
        gross,
        tax,
        net,
    )


def redeem_at_maturity(
    platform: Platform,
    symbol: str,
    agent: Any,
    payer: Any | None = None,
    claim_days: int = DEFAULT_CLAIM_DAYS,
    batch_size: int = 100,
    progress: bool = True,
) -> PaymentReport:
    """Redeems every unit of a bond at its redemption value on its maturity date."""
    payer = payer or agent
    token = platform.token(symbol)
    if int(token.kind()) != int(Kind.BOND):
        raise InputError.single(symbol, "only bonds have a maturity redemption")
    corporate = platform.corporate
    payment_id = _find_payment(corporate, str(token.address), REDEMPTION, None)
    declared = False
    if payment_id is None:
        maturity = jst_date(int(token.bondTerms().maturityDate))
        send(
            corporate.declareMaturityRedemption,
            token,
            jst_midnight(maturity + timedelta(days=claim_days)),
            sender=agent,
        )
        payment_id = int(corporate.paymentCount())
        declared = True
    encumbered = [
        f"{h} ({int(token.balanceOf(h)) - int(token.freeBalanceOf(h))} units)"
        for h in holder_candidates(token)
        if int(token.balanceOf(h)) != int(token.freeBalanceOf(h))
    ]
    if encumbered:
        raise ChainStateError(
            "redemption burns free units only; these holders have locked, "
            "frozen or pending units: " + ", ".join(encumbered) + ". Release "
            "them first (settle or cancel, unfreeze); nothing was sent"
        )
    funded = _fund(platform, payment_id, payer)
    report, gross, tax, net = _pay(platform, payment_id, token, agent, True, batch_size, progress)
    return PaymentReport(payment_id, "redemption", declared, funded, report, gross, tax, net)
