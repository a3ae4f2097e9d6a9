"""Issuing a token from a YAML term sheet and an allocation CSV.

Everything is checked before the first transaction: the term sheet and allocation files,
every allocated investor against the registry (registered, active, KYC valid, class allowed)
and the token's rules (minimum holding, maximum balance, holder cap). When the token exists
already, each row also gets the chain's own verdict, ``detectTransferRestriction``.

Resumable: the token is recorded in the manifest as soon as it is deployed; each setup step
(the platform's token list, documents, roles, lock addresses, a bond's business-day convention)
is sent only if the chain lacks it; allocations go out in
``batchIssue`` chunks whose ``data`` names the tranche, and a row is done when the token's
Issued events show that tranche issued to the investor's wallet.

A tranche is identified by what it issues, never by a file name: its ``data`` carries a
content id (keccak of the term sheet's terms and the allocation's rows), so the same
allocation under another name, or from another machine, finds its issue on the chain. A
different allocation of a token that already has a tranche is refused unless the operator
names it as a deliberate second tranche (``--tranche NAME``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ape import chain
from eth_utils import keccak

from kabuto.batching import BatchJob, BatchReport, run_batches
from kabuto.coupons import end_of_jst_day, jst_midnight
from kabuto.domain import investor_id_to_bytes32, jst_date
from kabuto.errors import ChainStateError, InputError, InputIssue, ManifestError
from kabuto.inputs import TermSheet, load_allocations, load_term_sheet
from kabuto.lots import ZERO_ADDRESS
from kabuto.manifest import save_manifest
from kabuto.onchain_types import BeneficiaryTerms, BondTerms, InvestorClass, Kind, Restriction
from kabuto.ops import roles
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import InvestorRecord, Platform, at, deploy, investor_record, send

ACTIVE = 1
# Refusals caused by the amount rather than the investor: the `units` cell is to fix.
AMOUNT_CODES = frozenset({Restriction.MAX_BALANCE_EXCEEDED, Restriction.BELOW_MINIMUM_HOLDING})
TRANCHE_PREFIX = b"kabuto:tranche:"


@dataclass(frozen=True)
class Tranche:
    """One tranche as the token's Issued events show it."""

    data: bytes
    wallets: frozenset[str]
    units: int
    first_block: int

    @property
    def content_id(self) -> str:
        return tranche_parts(self.data)[0]

    @property
    def name(self) -> str:
        return tranche_parts(self.data)[1]

    def describe(self) -> str:
        label = f"tranche {self.name!r}" if self.name else "the first tranche"
        return (
            f"{label} (content id {self.content_id[:16]}..): {self.units} units to "
            f"{len(self.wallets)} wallets from block {self.first_block}"
        )


@dataclass(frozen=True)
class Allotment:
    row: int  # spreadsheet row of the allocation file
    investor_id: str
    wallet: str
    units: int


@dataclass(frozen=True)
class IssuePlan:
    platform: Platform
    sheet: TermSheet
    allotments: tuple[Allotment, ...]
    content_id: str
    tranche: str  # "" for the first tranche; the operator's --tranche NAME for later ones
    token_address: str | None  # None: to be deployed

    @property
    def data(self) -> bytes:
        return tranche_data(self.content_id, self.tranche)


def content_id(sheet: TermSheet, rows: Sequence[tuple[str, int]]) -> str:
    """The id of a tranche by content: keccak of the term sheet's terms and the allocation's
    (investor, units) rows in investor order (hex, no 0x); file names play no part."""
    text = sheet.model_dump_json() + "\n" + "\n".join(f"{i},{u}" for i, u in sorted(rows))
    return keccak(text=text).hex()


def tranche_data(content: str, name: str = "") -> bytes:
    """The `data` of every Issued event of one tranche: how reruns find what is done."""
    return TRANCHE_PREFIX + content.encode("ascii") + (b":" + name.encode("utf-8") if name else b"")


def tranche_parts(data: bytes) -> tuple[str, str]:
    """(content id, name) of a tranche's `data`."""
    content, _, name = data[len(TRANCHE_PREFIX) :].decode("utf-8", "replace").partition(":")
    return content, name


def tranches_of(token: Any) -> dict[bytes, Tranche]:
    """Every tranche the token's Issued events show (one log query)."""
    found: dict[bytes, tuple[set[str], int, int]] = {}
    for log in token.Issued.range(0, chain.blocks.height + 1):
        data = bytes(log.data)
        if not data.startswith(TRANCHE_PREFIX):
            continue
        wallets, units, first = found.setdefault(data, (set(), 0, int(log.block_number)))
        wallets.add(str(log.to))
        found[data] = (wallets, units + int(log.value), first)
    return {d: Tranche(d, frozenset(w), u, b) for d, (w, u, b) in found.items()}


def _check_tranche(symbol: str, data: bytes, name: str, existing: dict[bytes, Tranche]) -> None:
    """A different allocation of a token that has tranches is refused unless named; a name is
    never reused for other content."""
    if data in existing:
        return
    others = list(existing.values())
    if not others:
        return
    listed = "; ".join(t.describe() for t in others)
    if not name:
        raise ChainStateError(
            f"{symbol} already has {len(others)} tranche(s) on chain: {listed}. This "
            "allocation (or term sheet) differs from each of them, so it is not a rerun. If it "
            "is a deliberate further issue, run again with --tranche NAME (e.g. --tranche "
            "2027-04); if you meant to finish an earlier run, use its files unchanged. "
            "Nothing was sent"
        )
    clash = [t for t in others if t.name == name]
    if clash:
        raise ChainStateError(
            f"{symbol} already has a tranche named {name!r} with other content "
            f"({clash[0].describe()}): choose another --tranche name, or use that tranche's "
            "files unchanged to finish it. Nothing was sent"
        )


def rules_tuple(sheet: TermSheet) -> tuple[Any, ...]:
    rules = sheet.rules
    lock_up = end_of_jst_day(rules.lock_up_until) if rules.lock_up_until else 0
    return (
        rules.allowed_mask,
        rules.holder_cap,
        rules.max_balance,
        rules.min_holding,
        lock_up,
        rules.qii_resale_only,
        rules.approval_required,
    )


def encoded_terms(sheet: TermSheet, payment_token: str) -> bytes:
    if sheet.kind is Kind.BOND:
        bond = sheet.bond
        assert bond is not None  # the loader guarantees it
        return BondTerms(
            face_value=bond.face_value,
            coupon_rate=bond.coupon_rate,
            coupons_per_year=bond.coupons_per_year,
            issue_date=jst_midnight(bond.issue_date),
            maturity_date=jst_midnight(bond.maturity_date),
            redemption_value=bond.redemption_value,
            interest_payment_dates=tuple(jst_midnight(d) for d in bond.interest_payment_dates),
            interest_record_dates=tuple(end_of_jst_day(d) for d in bond.interest_record_dates),
            payment_token=payment_token,
        ).encode()
    terms = sheet.beneficiary
    assert terms is not None
    return BeneficiaryTerms(
        issue_price=terms.issue_price,
        distribution_record_dates=tuple(end_of_jst_day(d) for d in terms.distribution_record_dates),
        distribution_payment_dates=tuple(jst_midnight(d) for d in terms.distribution_payment_dates),
        payment_token=payment_token,
    ).encode()


def _payment_token(platform: Platform, sheet: TermSheet, path: Path) -> str:
    if sheet.payment_token.startswith("0x"):
        return sheet.payment_token
    try:
        return platform.manifest.contract(sheet.payment_token)
    except ManifestError as exc:
        raise InputError.single(path, str(exc), field="payment_token") from exc


def _rule_problem(record: InvestorRecord, sheet: TermSheet, units: int, now: int) -> str | None:
    """The rule an issue of `units` to an investor with registry `record` breaks (the
    contract's issue-path checks, for a token not deployed yet)."""
    if record.status != ACTIVE:
        return (
            "the investor is not active in the registry"
            if record.status
            else ("the wallet is not registered in the investor registry")
        )
    if record.kyc_expiry <= now:
        return "the investor's KYC has expired; renew it first"
    cls = InvestorClass(record.investor_class)
    if cls not in set(sheet.rules.allowed_classes):
        allowed = ", ".join(c.label for c in sheet.rules.allowed_classes)
        return f"a {cls.label} investor may not hold {sheet.symbol} (allowed: {allowed})"
    if units < sheet.rules.min_holding:
        return f"{units} units is below the minimum holding of {sheet.rules.min_holding}"
    if sheet.rules.max_balance and units > sheet.rules.max_balance:
        return f"{units} units is above the maximum balance of {sheet.rules.max_balance}"
    return None


def restriction_text(token: Any, code: int) -> str:
    return f"{token.messageForTransferRestriction(code)} ({Restriction(code).name}, code {code})"


def _check_issue_date(sheet: TermSheet, allow_early: bool) -> None:
    """A bond is issued on its issue (payment) date or later: the register's acquisition dates
    must not come before the date the bonds were paid in."""
    if sheet.bond is None or allow_early:
        return
    today = jst_date(chain.pending_timestamp)
    if today < sheet.bond.issue_date:
        raise ChainStateError(
            f"{sheet.symbol} is issued on {sheet.bond.issue_date} (its term sheet's issue date) "
            f"and the chain's date is {today}: run this on or after the issue date, or give "
            "--allow-early to issue now (the register then shows acquisitions before the "
            "payment date); nothing was sent"
        )


def plan_issue(
    platform: Platform,
    term_sheet: Path,
    allocation_csv: Path,
    tranche: str | None = None,
    allow_early: bool = False,
) -> IssuePlan:
    """Validates the term sheet, the allocation and every row against the chain.

    Raises:
        InputError: every problem found, each naming the file, row and field.
        ChainStateError: a bond before its issue date without `allow_early`.
    """
    sheet = load_term_sheet(term_sheet)
    _check_issue_date(sheet, allow_early)
    allocations = load_allocations(allocation_csv)
    _payment_token(platform, sheet, term_sheet)
    tranche = tranche or ""
    content = content_id(sheet, [(row.investor_id, row.units) for _, row in allocations.rows])
    entry = platform.manifest.tokens.get(sheet.symbol)
    token = None
    if entry is not None:
        if entry.category != sheet.category.label or entry.kind != sheet.kind.label.lower():
            raise InputError.single(
                term_sheet,
                f"{sheet.symbol} is already deployed as a "
                f"{entry.category} {entry.kind}; the term sheet says "
                f"{sheet.category.label} {sheet.kind.label.lower()}",
                field="symbol",
            )
        token = platform.token(sheet.symbol)
    registry = platform.registry
    now = chain.pending_timestamp
    data = tranche_data(content, tranche)
    existing = tranches_of(token) if token is not None else {}
    _check_tranche(sheet.symbol, data, tranche, existing)
    done = set(existing[data].wallets) if data in existing else set()
    issues: list[InputIssue] = []
    allotments = []
    for number, row in allocations.rows:
        wallet = str(registry.walletOf(investor_id_to_bytes32(row.investor_id)))
        if wallet == ZERO_ADDRESS:
            issues.append(
                allocations.issue(
                    number,
                    "investor_id",
                    f"{row.investor_id} is not registered on chain: onboard the investor first",
                )
            )
            continue
        allotments.append(Allotment(number, row.investor_id, wallet, row.units))
        if wallet in done:
            continue
        if token is not None:
            code = int(token.detectTransferRestriction(ZERO_ADDRESS, wallet, row.units))
            problem = None if code == 0 else restriction_text(token, code)
            field = "units" if code in AMOUNT_CODES else "investor_id"
        else:
            problem = _rule_problem(investor_record(registry, wallet), sheet, row.units, now)
            field = "units" if problem and "units" in problem else "investor_id"
        if problem:
            issues.append(allocations.issue(number, field, f"{row.investor_id}: {problem}"))
    cap = sheet.rules.holder_cap
    holders = int(token.holderCount()) if token is not None else 0
    new_holders = [
        a
        for a in allotments
        if a.wallet not in done and (token is None or int(token.balanceOf(a.wallet)) == 0)
    ]
    if cap and holders + len(new_holders) > cap:
        first_over = new_holders[cap - holders] if cap > holders else new_holders[0]
        issues.append(
            allocations.issue(
                first_over.row,
                None,
                f"{holders + len(new_holders)} "
                f"holders would exceed the holder cap of {cap}; this "
                "is the first row over it",
            )
        )
    limit = sheet.issue_limit_units
    if limit:
        ever = sum(t.units for t in existing.values()) if token is not None else 0
        ever = max(ever, int(token.totalSupply()) if token is not None else 0)
        pending = sum(a.units for a in allotments if a.wallet not in done)
        if ever + pending > limit:
            issues.append(
                allocations.issue(
                    allotments[-1].row if allotments else 0,
                    "units",
                    f"issuing {pending} more units would make {ever + pending}, beyond the "
                    f"term sheet's total issue amount of {limit} units "
                    f"({sheet.total_issue_amount:,} yen)",
                )
            )
    if issues:
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    return IssuePlan(
        platform,
        sheet,
        tuple(allotments),
        content,
        tranche,
        token.address if token is not None else None,
    )


def has_issue_limit(token: Any) -> bool:
    """Whether the token's contract has the issue limit (`issueLimit`/`setIssueLimit`): the
    token refuses to issue beyond the term sheet's total issue amount itself."""
    return any(getattr(item, "name", None) == "issueLimit" for item in token.contract_type.abi)


def issued_wallets(token: Any, data: bytes) -> set[str]:
    """Wallets the token's Issued events show as issued with `data` (one tranche)."""
    return {
        str(log.to)
        for log in token.Issued.range(0, chain.blocks.height + 1)
        if bytes(log.data) == data
    }


@dataclass
class IssueReport:
    token: str
    deployed: bool
    setup: list[str]
    batches: BatchReport


def ensure_token(
    plan: IssuePlan,
    issuer: Any,
    paying_agent: Any,
    compliance: Any,
    term_sheet: Path,
    platform_admin: Any | None = None,
) -> tuple[Any, bool, list[str]]:
    """The token, deployed and recorded in the manifest if new, listed as a platform token
    (by `platform_admin`, the registry's admin: default the deployer account), with its
    documents, roles, lock addresses and (bond) business-day convention; each step only if
    the chain lacks it."""
    platform, sheet = plan.platform, plan.sheet
    deployed = False
    if plan.token_address is None:
        payment = _payment_token(platform, sheet, term_sheet)
        token = deploy(
            "SecurityToken",
            sheet.name,
            sheet.symbol,
            int(sheet.category),
            int(sheet.kind),
            platform.registry,
            issuer,
            rules_tuple(sheet),
            encoded_terms(sheet, payment),
            sender=issuer,
        )
        manifest = platform.manifest.with_token(
            sheet.symbol, token.address, sheet.category, sheet.kind.label
        )
        save_manifest(manifest, platform.path)
        platform.manifest = manifest
        deployed = True
    else:
        token = at("SecurityToken", plan.token_address)
    steps: list[str] = []
    limit = sheet.issue_limit_units
    if limit and has_issue_limit(token) and int(token.issueLimit()) != limit:
        send(token.setIssueLimit, limit, sender=issuer)
        steps.append(f"issue limit {limit} units (total issue amount)")
    if not platform.registry.isPlatformToken(token):
        admin = platform_admin or account_for("deployer")
        send(platform.registry.setPlatformToken, token, True, sender=admin)
        steps.append("listed as a platform token")
    for document in sheet.documents:
        name = document.name.encode("utf-8").ljust(32, b"\0")
        uri, doc_hash, _ = token.getDocument(name)
        if uri != document.uri or bytes(doc_hash) != document.document_hash:
            send(token.setDocument, name, document.uri, document.document_hash, sender=issuer)
            steps.append(f"document {document.name}")
    for role, account, label in (
        (roles.AGENT, issuer, "issuer"),
        (roles.AGENT, paying_agent, "paying agent"),
        (roles.AGENT, platform.corporate, "corporate actions"),
        (roles.COMPLIANCE, compliance, "compliance"),
    ):
        if not token.hasRole(role, account):
            send(token.grantRole, role, account, sender=issuer)
            steps.append(f"{'AGENT' if role == roles.AGENT else 'COMPLIANCE'} -> {label}")
    steps += authorize_lock_addresses(platform, token, issuer)
    if sheet.bond is not None:
        wanted = (int(sheet.bond.business_day_convention), sheet.bond.amount_adjusted)
        corporate = platform.corporate
        current = tuple(corporate.paymentConventionOf(token))
        if (int(current[0]), bool(current[1])) != wanted:
            send(corporate.setPaymentConvention, token, *wanted, sender=paying_agent)
            steps.append(f"payment convention {sheet.bond.business_day_convention.label}")
    return token, deployed, steps


def authorize_lock_addresses(platform: Platform, token: Any, issuer: Any) -> list[str]:
    """The platform's settlement contracts as the token's lock addresses, as every token of the
    platform has them (the benchmark deploys its bond with this too); returns what was done."""
    steps = []
    # The settlement lock address is named explicitly, before any authorisation (the token
    # never infers it; docs/settlement.md).
    if token.settlementLockAddress() != platform.dvp.address:
        send(token.setSettlementLockAddress, platform.dvp, sender=issuer)
        steps.append("settlement lock address DvP settlement")
    for lock_address, label in (
        (platform.dvp, "DvP settlement"),
        (platform.batch, "venue batch settlement"),
    ):
        if tuple(token.isAuthorizedLockAddress(lock_address)) != (True, True):
            send(token.authorizeLockAddress, lock_address, True, True, sender=issuer)
            steps.append(f"lock address {label}")
    return steps


def run_issue(
    plan: IssuePlan,
    issuer: Any,
    paying_agent: Any,
    compliance: Any,
    term_sheet: Path,
    batch_size: int = 50,
    progress: bool = True,
    platform_admin: Any | None = None,
) -> IssueReport:
    token, deployed, steps = ensure_token(
        plan, issuer, paying_agent, compliance, term_sheet, platform_admin
    )
    by_investor = {a.investor_id: a for a in plan.allotments}
    if deployed:  # the chain's verdict on every row before the first unit is issued
        problems = [
            InputIssue(
                "allocation", a.row, "units", f"{a.investor_id}: {restriction_text(token, code)}"
            )
            for a in plan.allotments
            if (code := int(token.detectTransferRestriction(ZERO_ADDRESS, a.wallet, a.units)))
        ]
        if problems:
            raise InputError(problems)

    def done_keys(keys: Sequence[str]) -> Collection[str]:
        wallets = issued_wallets(token, plan.data)
        return {k for k in keys if by_investor[k].wallet in wallets}

    def send_chunk(chunk: list[Allotment]) -> None:
        send(
            token.batchIssue,
            [a.wallet for a in chunk],
            [a.units for a in chunk],
            plan.data,
            sender=issuer,
        )

    job: BatchJob[Allotment, str] = BatchJob(
        items=plan.allotments,
        key=lambda a: a.investor_id,
        done_keys=done_keys,
        send=send_chunk,
        batch_size=batch_size,
        description=f"issuing {plan.sheet.symbol}",
        unit="allotment",
    )
    return IssueReport(str(token.address), deployed, steps, run_batches(job, progress=progress))


def preview_issue(plan: IssuePlan) -> str:
    """What `run_issue` would send for `plan` (checked by plan_issue); sends nothing."""
    symbol, total = plan.sheet.symbol, len(plan.allotments)
    if plan.token_address is None:
        return (
            f"would deploy {symbol}, set it up and issue all {total} allotments; "
            "dry run, nothing sent"
        )
    token = plan.platform.token(symbol)
    wallets = issued_wallets(token, plan.data)
    pending = [a for a in plan.allotments if a.wallet not in wallets]
    if not pending:
        return f"{symbol}: all {total} allotments of this tranche already issued; nothing to send"
    units = sum(a.units for a in pending)
    return (
        f"would issue {len(pending)} of {total} allotments ({units} units) of {symbol}; "
        "dry run, nothing sent"
    )
