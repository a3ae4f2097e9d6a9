"""Paying interest or distributions for a record date, and redeeming a bond at maturity,
through CorporateActions: declare (once), fund (the paying agent's yen), pay the holders in
resumable batches, then write the per-holder payment records (kabuto.payment_records).

Everything that can refuse is checked before the first transaction: the dates (record date
passed, payment day reached: the terms' scheduled day moved by the bond's business-day
convention), the roles (the paying agent and the payer are agents of the token, the token is
the platform's, CorporateActions may burn for a redemption), the payer's yen and the coin's
state, and (redemption) that every unit can be burned. A run that will refuse moves nothing.

Amounts are computed on-chain from the record-date snapshot; a holder is done when the
contract's entry for it is no longer unpaid (redemption: its units are burned). Money for a
holder goes to its investor's current wallet (the contract resolves it in the registry).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ape import chain

from kabuto.batching import BatchJob, BatchReport, run_batches
from kabuto.business_days import adjust
from kabuto.coupons import BondTerms, DayCount, coupon, end_of_jst_day, jst_midnight
from kabuto.domain import investor_id_from_bytes32, investor_id_to_bytes32, jst_date
from kabuto.errors import ChainStateError, InputError
from kabuto.lots import ZERO_ADDRESS
from kabuto.onchain_types import BusinessDayConvention, Kind, TaxStatus
from kabuto.ops.chain import Platform, send
from kabuto.payment_records import HELD, PAID, UNPAID, HolderRecord, PaymentFile
from kabuto.payment_records import write_payment_file as _write_files

INTEREST, DISTRIBUTION, REDEMPTION = 0, 1, 2
KIND_NAMES = {INTEREST: "interest", DISTRIBUTION: "distribution", REDEMPTION: "redemption"}
DECLARED, FUNDED = 1, 2
ENTRY_STATUS = {0: UNPAID, 1: PAID, 2: HELD}
DEFAULT_CLAIM_DAYS = 90
DEFAULT_RECORDS_DIR = Path("payments")


AMOUNT_FIELDS = ("investorId", "taxStatus", "units", "gross", "nationalTax", "localTax", "net")


@dataclass(frozen=True)
class HolderAmounts:
    """ICorporateActions.HolderAmounts (Ape decodes it as a struct from a call and as a plain
    list from an event's data: `holder_amounts` reads either)."""

    investor_id: bytes
    tax_status: TaxStatus
    units: int
    gross: int
    national_tax: int
    local_tax: int
    net: int

    @property
    def tax(self) -> int:
        return self.national_tax + self.local_tax


def holder_amounts(value: Any) -> HolderAmounts:
    fields = (
        [getattr(value, name) for name in AMOUNT_FIELDS] if hasattr(value, "units") else list(value)
    )
    raw_id, status, *amounts = fields
    return HolderAmounts(bytes(raw_id), TaxStatus(int(status)), *(int(a) for a in amounts))


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
    records: tuple[Path, Path] | None = None  # the payment files written (CSV, JSON)


@dataclass(frozen=True)
class _Plan:
    """What a run will do, decided (and checked) before anything is sent."""

    token: Any
    kind: int
    record_index: int  # unused (0) for a redemption
    reference_date: date
    payment_id: int | None  # None: to be declared
    payment_day: date
    per_unit: tuple[int, int]  # yen per unit as numerator / denominator
    coupon_index: int | None = None


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


def bond_terms(platform: Platform, token: Any) -> BondTerms:
    """The bond's terms as kabuto.coupons computes with them, conventions from the chain."""
    t = token.bondTerms()
    convention, adjusted = platform.corporate.paymentConventionOf(token)
    return BondTerms(
        face_value=int(t.faceValue),
        coupon_rate=int(t.couponRate),
        coupons_per_year=int(t.couponsPerYear),
        issue_date=int(t.issueDate),
        maturity_date=int(t.maturityDate),
        redemption_value=int(t.redemptionValue),
        interest_payment_dates=tuple(int(d) for d in t.interestPaymentDates),
        day_count=DayCount(int(platform.corporate.dayCountOf(token))),
        business_day_convention=BusinessDayConvention(int(convention)),
        amount_adjusted=bool(adjusted),
    )


def _plan_record_date(
    platform: Platform, token: Any, record_day: date, amount_per_unit: int | None
) -> _Plan:
    corporate = platform.corporate
    record_index = _record_index(token, record_day)
    bond = int(token.kind()) == int(Kind.BOND)
    kind = INTEREST if bond else DISTRIBUTION
    payment_id = _find_payment(corporate, str(token.address), kind, record_index)
    if payment_id is not None:
        p = corporate.payment(payment_id)
        return _Plan(
            token,
            kind,
            record_index,
            record_day,
            payment_id,
            jst_date(int(p.paymentDate)),
            (int(p.amountNumerator), int(p.amountDenominator)),
        )
    if chain.pending_timestamp <= end_of_jst_day(record_day):
        raise ChainStateError(
            f"the record date {record_day} has not passed yet; the "
            "holders of record are known from the next day; nothing was sent"
        )
    if bond:
        terms = bond_terms(platform, token)
        records = [int(t) for t in token.bondTerms().interestRecordDates]
        index = records.index(end_of_jst_day(record_day))
        per_unit = coupon(terms, index).per_unit
        day = adjust(jst_date(terms.interest_payment_dates[index]), terms.business_day_convention)
        return _Plan(
            token,
            kind,
            record_index,
            record_day,
            None,
            day,
            (per_unit.numerator, per_unit.denominator),
            index,
        )
    if not amount_per_unit:
        raise InputError.single(
            "--amount-per-unit", "a distribution needs its amount per unit in yen"
        )
    terms = token.beneficiaryTerms()
    records = [int(t) for t in terms.distributionRecordDates]
    day = jst_date(int(terms.distributionPaymentDates[records.index(end_of_jst_day(record_day))]))
    return _Plan(token, kind, record_index, record_day, None, day, (amount_per_unit, 1))


def _plan_redemption(platform: Platform, token: Any) -> _Plan:
    if int(token.kind()) != int(Kind.BOND):
        raise InputError.single(str(token.symbol()), "only bonds have a maturity redemption")
    terms = bond_terms(platform, token)
    maturity = jst_date(terms.maturity_date)
    payment_id = _find_payment(platform.corporate, str(token.address), REDEMPTION, None)
    if payment_id is not None:
        day = jst_date(int(platform.corporate.payment(payment_id).paymentDate))
    else:
        day = adjust(maturity, terms.business_day_convention)
    return _Plan(token, REDEMPTION, 0, maturity, payment_id, day, (terms.redemption_value, 1), None)


def _required(plan: _Plan) -> int:
    """What the payment needs funded in total (the contract's own formula)."""
    numerator, denominator = plan.per_unit
    if plan.kind == REDEMPTION:
        return int(plan.token.totalSupply()) * numerator // denominator
    return int(plan.token.totalSupplyAtRecordDate(plan.record_index)) * numerator // denominator


def _missing_funds(platform: Platform, plan: _Plan) -> int:
    if plan.payment_id is None:
        return _required(plan)
    p = platform.corporate.payment(plan.payment_id)
    if plan.kind == REDEMPTION:
        required = int(p.paid) + int(p.withheld) + int(p.held) + _required(plan)
    else:
        required = _required(plan)
    return max(0, required - int(p.funded))


def _preflight(platform: Platform, plan: _Plan, agent: Any, payer: Any) -> int:
    """Every reason the run would refuse, before anything is sent; returns the yen to fund.

    Raises:
        ChainStateError: the first refusal, saying what to do; nothing was sent.
    """
    token, corporate, yen = plan.token, platform.corporate, platform.yen
    symbol = token.symbol()
    today = jst_date(chain.pending_timestamp)
    what = KIND_NAMES[plan.kind]
    if chain.pending_timestamp < jst_midnight(plan.payment_day):
        raise ChainStateError(
            f"the {symbol} {what} is payable from {plan.payment_day} and the chain's date is "
            f"{today}: run this on or after that day; nothing was sent"
        )
    if not platform.registry.isPlatformToken(token):
        raise ChainStateError(
            f"{symbol} is not listed as a platform token in the registry: run `ape run issue` "
            "for it (it lists the token) or ask the platform admin; nothing was sent"
        )
    for role, account in (("paying agent", agent), ("payer", payer)):
        if not token.isAgent(account):
            raise ChainStateError(
                f"the {role} {account.address} is not an agent of {symbol}: the issuer grants "
                "it AGENT_ROLE on the token first; nothing was sent"
            )
    if plan.kind == REDEMPTION:
        if not token.isAgent(corporate):
            raise ChainStateError(
                f"CorporateActions is not an agent of {symbol}, so it cannot burn the redeemed "
                "units: the issuer grants it AGENT_ROLE; nothing was sent"
            )
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
    missing = _missing_funds(platform, plan)
    if missing:
        if yen.paused():
            raise ChainStateError("the yen coin is paused; nothing was sent")
        balance = int(yen.balanceOf(payer))
        if balance < missing:
            raise ChainStateError(
                f"the payer {payer.address} holds {balance:,} yen coin but the {symbol} {what} "
                f"needs {missing:,}: have the trust bank mint or transfer yen to it first; "
                "nothing was sent"
            )
    if yen.eligibilityRequired():
        for label, holder in (
            ("CorporateActions", corporate),
            ("the tax account", corporate.taxAccount()),
            ("the payer", payer),
        ):
            if not (yen.isSystemAccount(holder) or platform.registry.isEligible(holder)):
                raise ChainStateError(
                    f"the yen coin is in eligibility mode and {label} ({holder}) is neither a "
                    "system account nor an eligible investor: run `ape run deploy` again (it "
                    "marks the platform's system accounts); nothing was sent"
                )
    return missing


def _declare(platform: Platform, plan: _Plan, agent: Any, claim_days: int) -> int:
    corporate, token = platform.corporate, plan.token
    deadline = jst_midnight(plan.payment_day + timedelta(days=claim_days))
    pay_from = jst_midnight(plan.payment_day)
    if plan.kind == INTEREST:
        args: tuple[Any, ...] = (token, plan.coupon_index, plan.record_index, pay_from, deadline)
        send(corporate.declareInterest, *args, sender=agent)
    elif plan.kind == DISTRIBUTION:
        amount = plan.per_unit[0]
        args = (token, plan.record_index, amount, pay_from, deadline)
        send(corporate.declareDistribution, *args, sender=agent)
    else:
        send(corporate.declareMaturityRedemption, token, pay_from, deadline, sender=agent)
    return int(corporate.paymentCount())


def _fund(platform: Platform, payment_id: int, payer: Any, missing: int) -> int:
    """Funds what the payment still needs from `payer` (approving exactly that)."""
    corporate, yen = platform.corporate, platform.yen
    if missing <= 0:
        return 0
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
    holders = []
    totals = [0, 0, 0]
    for wallet in holder_candidates(token):
        units, gross, tax, net = (int(x) for x in corporate.entitlementOf(payment_id, wallet))
        state = int(corporate.entryOf(payment_id, wallet)[0])
        if units or ENTRY_STATUS[state] != UNPAID:
            holders.append(wallet)
            for i, value in enumerate((gross, tax, net)):
                totals[i] += value

    def done_keys(keys: Sequence[str]) -> Collection[str]:
        if redemption:
            return {k for k in keys if int(token.balanceOf(k)) == 0}
        return {k for k in keys if ENTRY_STATUS[int(corporate.entryOf(payment_id, k)[0])] != UNPAID}

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


def set_treaty_rates(
    platform: Platform, token: Any, agent: Any, rates: Mapping[str, int]
) -> list[str]:
    """Sets each non-resident investor's treaty rate (investor id -> millionths) on `token`'s
    payments where the chain has another; returns the ids changed. Checked first: every id is
    a registered non-resident."""
    registry, corporate = platform.registry, platform.corporate
    for investor_id, rate in rates.items():
        status = TaxStatus(int(registry.taxStatusOf(investor_id_to_bytes32(investor_id))))
        if status != TaxStatus.NON_RESIDENT:
            raise InputError.single(
                "--treaty-rate",
                f"{investor_id} is {status.label} in the registry: a treaty rate applies to "
                "non-residents only",
            )
        if not 0 <= rate <= 1_000_000:
            raise InputError.single("--treaty-rate", f"{investor_id}: rate out of range")
    changed = []
    for investor_id, rate in rates.items():
        raw = investor_id_to_bytes32(investor_id)
        applies, current = corporate.treatyRateOf(token, raw)
        if not applies or int(current) != rate:
            send(corporate.setTreatyRate, token, raw, rate, True, sender=agent)
            changed.append(investor_id)
    return changed


def payment_file(platform: Platform, payment_id: int) -> PaymentFile:
    """Every holder's record for the payment, read from the chain: paid and held amounts from
    the contract's events (a full redemption may pay a holder more than once: summed), unpaid
    ones from what the contract would pay now."""
    corporate = platform.corporate
    p = corporate.payment(payment_id)
    token = platform.token_by_address(str(p.token))
    kind = int(p.kind)
    if kind == REDEMPTION:
        reference = jst_date(int(token.bondTerms().maturityDate))
    else:
        reference = jst_date(int(token.recordDate(int(p.recordIndex))))
    settled: dict[str, list[Any]] = {}
    for event, status in ((corporate.HolderPaid, PAID), (corporate.HolderPaymentHeld, HELD)):
        for log in event.range(0, chain.blocks.height + 1, search_topics={"id": payment_id}):
            settled.setdefault(str(log.holder), []).append((log, status))
    records = []
    for wallet in holder_candidates(token):
        state = ENTRY_STATUS[int(corporate.entryOf(payment_id, wallet)[0])]
        if wallet in settled:
            logs = settled[wallet]
            amounts = [log.amounts for log, _ in logs]
            records.append(_record(wallet, amounts, logs[-1][0].recipient, state))
            continue
        amounts, recipient = corporate.amountsOf(payment_id, wallet)
        if holder_amounts(amounts).units:
            records.append(_record(wallet, [amounts], recipient, UNPAID))
    onchain = {
        k: int(getattr(p, k)) for k in ("funded", "paid", "withheld", "held", "reclaimed", "units")
    }
    return PaymentFile(
        chain_id=platform.chain_id,
        symbol=str(token.symbol()),
        token=str(token.address),
        payment_id=payment_id,
        kind=KIND_NAMES[kind],
        reference_date=reference,
        payment_date=jst_date(int(p.paymentDate)),
        records=tuple(records),
        onchain_totals=onchain,
    )


def write_payment_records(
    platform: Platform, payment_id: int, directory: Path = DEFAULT_RECORDS_DIR
) -> tuple[Path, Path]:
    """Writes the payment's per-holder records (CSV for Excel, JSON) into `directory`."""
    return _write_files(payment_file(platform, payment_id), directory)


def _record(wallet: str, raw_parts: Sequence[Any], recipient: Any, status: str) -> HolderRecord:
    parts = [holder_amounts(p) for p in raw_parts]
    first = parts[0]
    return HolderRecord(
        investor_id=investor_id_from_bytes32(first.investor_id) if any(first.investor_id) else "",
        holder_wallet=wallet,
        paid_to_wallet=str(recipient),
        tax_status=first.tax_status.label,
        units=sum(a.units for a in parts),
        gross_yen=sum(a.gross for a in parts),
        national_tax_yen=sum(a.national_tax for a in parts),
        local_tax_yen=sum(a.local_tax for a in parts),
        net_yen=sum(a.net for a in parts),
        status=status,
    )


def _run(
    platform: Platform,
    plan: _Plan,
    agent: Any,
    payer: Any,
    claim_days: int,
    batch_size: int,
    progress: bool,
    records_dir: Path | None,
    treaty_rates: Mapping[str, int] | None,
) -> PaymentReport:
    missing = _preflight(platform, plan, agent, payer)
    if treaty_rates:
        set_treaty_rates(platform, plan.token, agent, treaty_rates)
    declared = plan.payment_id is None
    payment_id = _declare(platform, plan, agent, claim_days) if declared else plan.payment_id
    assert payment_id is not None
    funded = _fund(platform, payment_id, payer, missing)
    report, gross, tax, net = _pay(
        platform, payment_id, plan.token, agent, plan.kind == REDEMPTION, batch_size, progress
    )
    files = None
    if records_dir is not None:
        files = write_payment_records(platform, payment_id, records_dir)
    return PaymentReport(
        payment_id, KIND_NAMES[plan.kind], declared, funded, report, gross, tax, net, files
    )


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
    records_dir: Path | None = None,
    treaty_rates: Mapping[str, int] | None = None,
) -> PaymentReport:
    """Interest (bond: the coupon whose record date is `record_day`, paid on its scheduled day
    moved by the bond's business-day convention) or a distribution (beneficiary:
    `amount_per_unit` yen, paid on the terms' payment date for that record date) to the holders
    of record; the per-holder records go to `records_dir` if given."""
    token = platform.token(symbol)
    plan = _plan_record_date(platform, token, record_day, amount_per_unit)
    return _run(
        platform,
        plan,
        agent,
        payer or agent,
        claim_days,
        batch_size,
        progress,
        records_dir,
        treaty_rates,
    )


def redeem_at_maturity(
    platform: Platform,
    symbol: str,
    agent: Any,
    payer: Any | None = None,
    claim_days: int = DEFAULT_CLAIM_DAYS,
    batch_size: int = 100,
    progress: bool = True,
    records_dir: Path | None = None,
) -> PaymentReport:
    """Redeems every unit of a bond at its redemption value on its maturity date (moved by the
    bond's business-day convention); the per-holder records go to `records_dir` if given."""
    plan = _plan_redemption(platform, platform.token(symbol))
    return _run(
        platform, plan, agent, payer or agent, claim_days, batch_size, progress, records_dir, None
    )


def _preview(platform: Platform, plan: _Plan, agent: Any, payer: Any) -> str:
    """What a run would send, after every check a run makes first; sends nothing."""
    missing = _preflight(platform, plan, agent, payer)
    symbol, what = plan.token.symbol(), KIND_NAMES[plan.kind]
    if plan.payment_id is None:
        steps = [f"declare the {symbol} {what} payable {plan.payment_day}"]
    else:
        steps = [f"continue payment #{plan.payment_id}"]
    if missing:
        steps.append(f"fund {missing:,} yen from {payer.address}")
    steps.append("pay every holder of record not paid yet")
    return "would " + ", ".join(steps) + "; dry run, nothing sent"


def preview_record_date(
    platform: Platform,
    symbol: str,
    record_day: date,
    agent: Any,
    payer: Any | None = None,
    amount_per_unit: int | None = None,
) -> str:
    """`pay_record_date` checked but not sent: what it would do."""
    plan = _plan_record_date(platform, platform.token(symbol), record_day, amount_per_unit)
    return _preview(platform, plan, agent, payer or agent)


def preview_redemption(
    platform: Platform, symbol: str, agent: Any, payer: Any | None = None
) -> str:
    """`redeem_at_maturity` checked but not sent: what it would do."""
    plan = _plan_redemption(platform, platform.token(symbol))
    return _preview(platform, plan, agent, payer or agent)
