"""Kabuto itself, on the same chain as the peers: the platform deployed by the operators' own
code (kabuto.ops.deploy.deploy_platform: registry, yen coin, DvP, venue batch settlement, ...),
a Class 1 bond deployed with kabuto.core.deploy_token, holder cap and class rules active.

Every key is measured from the receipts of every transaction the operation needs, and each
operation is checked to have done what it is measured for.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import chain
from eth_utils import keccak

from kabuto.bench.context import BenchContext, expect, gas_of
from kabuto.bench.model import GasMeasurement, Outcome
from kabuto.bench.registry import Peer
from kabuto.core import JAPAN, YEAR, deploy_token
from kabuto.crypto import public_key_from_der
from kabuto.domain import Category, Kind, investor_id_to_bytes32
from kabuto.manifest import TokenEntry, update_manifest
from kabuto.onboarding_batch import OnboardingRow, batch_arguments
from kabuto.onchain_types import ForcedTransferReason, InvestorClass, Rules, TaxStatus, class_mask
from kabuto.ops.approvals import applied
from kabuto.ops.chain import Platform, load_platform
from kabuto.ops.deploy import Operators, deploy_platform
from kabuto.ops.export import _terms
from kabuto.ops.issue import authorize_lock_addresses
from kabuto.ops.trading import DvpInstruction, instruct_dvp
from kabuto.personal_data import PersonalData, encrypt_personal_data
from kabuto.signing import Eip712Domain, Permit, sign_typed

TOKEN_KEYS = (
    "kabuto.transfer.new_holder",
    "kabuto.transfer.existing_holder",
    "kabuto.issue.new_holder",
    "kabuto.forced_transfer.new_holder",
    "kabuto.onboard_investor",
    "kabuto.onboard_investor.batch100_per_investor",
    "kabuto.approved_transfer.total",
    "kabuto.approved_transfer.batch50_per_application",
)
ONBOARD_BATCH = 100
APPROVAL_BATCH = 50
KEY_APPROVAL_BATCH = "kabuto.approved_transfer.batch50_per_application"
SETTLEMENT_KEYS = ("kabuto.dvp.total", "kabuto.batch_settlement.per_trade")
KEYS = TOKEN_KEYS + SETTLEMENT_KEYS

AMOUNT = 10
BENCH_SYMBOL = "KBB"
PRICE = 1_000  # yen per unit in the settlement measurements
YEN_PER_INVESTOR = 10**9
BATCH_TRADES = 100
BATCH_PARTICIPANTS = 10
# The target's conditions: holder cap and class rule active (QIIs excluded from this bond, so
# the class check is a real mask test, not "all classes").
HOLDER_CAP = 49
BENCH_RULES = Rules(
    allowed_classes=class_mask(InvestorClass.GENERAL, InvestorClass.SPECIFIED),
    holder_cap=HOLDER_CAP,
)
# The batch approval's bond: the bench rules with approval required, and a holder cap that the
# batch's applicants and 50 new holders fit in.
APPROVAL_RULES = Rules(
    allowed_classes=BENCH_RULES.allowed_classes,
    holder_cap=4 * APPROVAL_BATCH,
    approval_required=True,
)
RULES_NOTE = (
    f"rules active: holder cap {HOLDER_CAP}, allowedClasses General+Specified, both parties' "
    "registry records checked (KYC, status, class)"
)
# What the register needs about a holder, as the operators' onboarding encrypts it.
SAMPLE_PERSON = PersonalData(
    name="山田 太郎", address="東京都千代田区丸の内一丁目1番1号 カブトビル 12階"
)


def _operators(ctx: BenchContext) -> Operators:
    """The platform's roles played by the funded test accounts."""
    names = list(Operators.__dataclass_fields__)
    return Operators(**{name: ctx.role(index) for index, name in enumerate(names)})


@dataclass
class KabutoPlatform:
    """The deployed platform, one bond on it, and the accounts playing each role."""

    platform: Platform
    ops: Operators
    token: Any
    workdir: Path
    investors: list[Any] = field(default_factory=list)
    onboarded: int = 0

    @property
    def registry(self) -> Any:
        return self.platform.registry

    def onboard(self, wallet: Any, with_personal_data: bool = False) -> list[Any]:
        """Registers ``wallet`` (General investor, KYC valid a year); with personal data, in one
        ``onboardInvestor`` call carrying the envelope, as kabuto.ops.onboard does. Returns the
        receipts of every transaction."""
        registry, registrar = self.registry, self.ops.registrar
        # A short text id, as the operators' investors CSV has (kabuto.domain): the registry packs
        # ASCII ids of up to 15 characters into the record word (docs/registry.md); a 32-byte hash id
        # would take the long path with a third new slot.
        self.onboarded += 1
        investor_id = investor_id_to_bytes32(f"B{self.onboarded:07d}")
        kyc_expiry = int(chain.pending_timestamp) + YEAR
        general = int(InvestorClass.GENERAL)
        if with_personal_data:
            envelope = self.envelope()
            receipt = registry.onboardInvestor(
                investor_id,
                wallet,
                general,
                int(TaxStatus.RESIDENT_INDIVIDUAL),
                JAPAN,
                kyc_expiry,
                self.ops.issuer,
                envelope,
                sender=registrar,
            )
            stored = receipt.events.filter(registry.PersonalDataStored)
            expect(
                len(stored) == 1 and bytes(stored[0].dataHash) == keccak(envelope),
                "Kabuto onboarding did not publish the personal data",
            )
        else:
            receipt = registry.registerInvestor(
                investor_id, wallet, general, JAPAN, kyc_expiry, sender=registrar
            )
        expect(
            registry.isEligible(wallet),
            f"Kabuto registry does not find {wallet} eligible after onboarding",
        )
        return [receipt]

    def public_key(self) -> Any:
        """The issuer's public key as registered (what kabuto.ops.onboard encrypts to)."""
        return public_key_from_der(bytes(self.registry.issuerKeyOf(self.ops.issuer)))

    def envelope(self) -> bytes:
        """A real envelope of SAMPLE_PERSON, encrypted to the issuer's registered key."""
        return encrypt_personal_data(SAMPLE_PERSON, self.public_key())

    def bond_terms_view(self) -> Any:
        """The bond's terms as the register export reads them."""
        return _terms(self.token, Kind.Bond)

    def batch_rows(self, wallets: list[str]) -> list[OnboardingRow]:
        """`onboardInvestors` rows for new investors at `wallets`, each its own real envelope
        (batch_person), with the next short investor ids."""
        first = self.onboarded + 1
        self.onboarded += len(wallets)
        kyc_expiry = int(chain.pending_timestamp) + YEAR
        return [
            OnboardingRow(
                investor_id=investor_id_to_bytes32(f"B{first + i:07d}"),
                wallet=wallet,
                investor_class=InvestorClass.GENERAL,
                tax_status=TaxStatus.RESIDENT_INDIVIDUAL,
                country=JAPAN,
                kyc_expiry=kyc_expiry,
                ciphertext=encrypt_personal_data(batch_person(i), self.public_key()),
            )
            for i, wallet in enumerate(wallets)
        ]

    def investor(self, ctx: BenchContext) -> Any:
        """A new funded wallet, onboarded."""
        wallet = ctx.new_investor()
        self.onboard(wallet)
        self.investors.append(wallet)
        return wallet


def _bond(ops: Operators, registry: Any, rules: Rules, name: str, symbol: str) -> Any:
    """A bond on `registry`, the issuer its admin and agent, listed by the platform admin."""
    return deploy_token(
        ops.issuer,
        registry,
        rules=rules,
        agent=ops.issuer,
        compliance=ops.compliance,
        name=name,
        symbol=symbol,
        platform_admin=ops.deployer,
    )


def deploy(ctx: BenchContext, workdir: Path, rules: Rules = BENCH_RULES) -> KabutoPlatform:
    """The whole platform by kabuto.ops.deploy (manifest and issuer key under ``workdir``),
    and one bond with the bench rules; its lock addresses set by kabuto.ops.issue's own code
    (the settings every token of `ape run issue` gets, docs/settlement.md)."""
    ops = _operators(ctx)
    deploy_platform(ops, directory=workdir / "deployments", key_dir=workdir / "keys")
    platform = load_platform(workdir / "deployments")
    token = _bond(ops, platform.registry, rules, "Kabuto bench bond", BENCH_SYMBOL)
    authorize_lock_addresses(platform, token, ops.issuer)  # as `ape run issue` does
    # in the manifest, as `ape run issue` leaves it: the operators' jobs (the register export)
    # find the bond by its symbol
    entry = TokenEntry(address=str(token.address), category=Category.CLASS1.label, kind="bond")
    update_manifest(platform.chain_id, workdir / "deployments", tokens={BENCH_SYMBOL: entry})
    platform = load_platform(workdir / "deployments")
    return KabutoPlatform(platform, ops, token, workdir)


def measure_token(ctx: BenchContext, kp: KabutoPlatform) -> list[Outcome]:
    """Every single-token operation once, on a token that already has supply and holders."""
    token, agent = kp.token, kp.ops.issuer
    alice = kp.investor(ctx)
    bob = ctx.new_investor()
    onboarding = kp.onboard(bob, with_personal_data=True)
    charlie, dave, erin = (kp.investor(ctx) for _ in range(3))
    token.issue(alice, 100 * AMOUNT, b"", sender=agent)  # the first issue also creates the supply

    new_holder = token.transfer(bob, AMOUNT, sender=alice)
    existing_holder = token.transfer(bob, AMOUNT, sender=alice)
    issue = token.issue(charlie, AMOUNT, b"", sender=agent)
    forced = token.forcedTransfer(
        alice, dave, AMOUNT, int(ForcedTransferReason.COURT_ORDER), b"", sender=agent
    )
    application = token.applyForTransfer(erin, AMOUNT, b"", sender=alice)
    approved = token.approveTransfer(applied(token, application).fields, b"", sender=agent)
    for wallet in (bob, charlie, dave, erin):
        expect(token.balanceOf(wallet) > 0, f"Kabuto operation to {wallet} did not arrive")
    envelope_bytes = len(kp.envelope())
    return [
        measure_onboard_batch(ctx, kp),
        measure_approval_batch(ctx, kp),
        gas_of("kabuto.transfer.new_holder", [new_holder], note=RULES_NOTE),
        gas_of("kabuto.transfer.existing_holder", [existing_holder], note=RULES_NOTE),
        gas_of(
            "kabuto.issue.new_holder", [issue], note="issue by the issuer's agent; " + RULES_NOTE
        ),
        gas_of(
            "kabuto.forced_transfer.new_holder",
            [forced],
            note="agent, reason CourtOrder, recipient checked (KYC, class, cap); sender not",
        ),
        gas_of(
            "kabuto.onboard_investor",
            onboarding,
            note=f"onboardInvestor: registration + personal data in one call ({envelope_bytes}-byte envelope: "
            "the name and address encrypted to the issuer's registered key by kabuto.personal_data, "
            "HPKE X25519 for the default key type; published in the event, "
            "nothing stored for it)",
        ),
        gas_of(
            "kabuto.approved_transfer.total",
            [application, approved],
            note="applyForTransfer by the holder + approveTransfer by the agent, new holder",
        ),
    ]


def measure_approval_batch(ctx: BenchContext, kp: KabutoPlatform) -> Outcome:
    """APPROVAL_BATCH applications, each by its own applicant to its own new holder, approved by
    the agent in one `batchApproveTransfer` (as `ape run approvals approve` sends them): the gas
    of every apply plus the batch approval, per application."""
    ops = kp.ops
    token = _bond(ops, kp.registry, APPROVAL_RULES, "Kabuto bench approvals", "KBA")
    applicants = [ctx.new_investor() for _ in range(APPROVAL_BATCH)]
    recipients = [ctx.new_address() for _ in range(APPROVAL_BATCH)]
    rows = kp.batch_rows([str(a.address) for a in applicants] + recipients)
    kp.registry.onboardInvestors(ops.issuer, *batch_arguments(rows), sender=ops.registrar)
    token.batchIssue(
        [a.address for a in applicants], [10 * AMOUNT] * APPROVAL_BATCH, b"", sender=ops.issuer
    )
    applies = [
        token.applyForTransfer(recipient, AMOUNT, b"", sender=applicant)
        for applicant, recipient in zip(applicants, recipients, strict=True)
    ]
    fields = [applied(token, receipt).fields for receipt in applies]
    approval = token.batchApproveTransfer(fields, b"", sender=ops.issuer)
    expect(
        len(approval.events.filter(token.TransferApproved)) == APPROVAL_BATCH
        and all(int(token.balanceOf(r)) == AMOUNT for r in recipients)
        and all(int(token.balanceOf(a)) == 9 * AMOUNT for a in applicants)
        and int(token.holderCount()) == 2 * APPROVAL_BATCH,
        "Kabuto batch approval did not settle every application to its new holder",
    )
    total = gas_of(KEY_APPROVAL_BATCH, applies + [approval]).gas
    return GasMeasurement(
        key=KEY_APPROVAL_BATCH,
        gas=round(total / APPROVAL_BATCH),
        txs=APPROVAL_BATCH + 1,
        note=f"{APPROVAL_BATCH} applyForTransfer (each its own applicant, to its own new holder) + "
        f"one batchApproveTransfer of the {APPROVAL_BATCH} by the agent: {total:,} gas / "
        f"{APPROVAL_BATCH} (approval {int(approval.gas_used):,}); the application record is one "
        "slot (the fields' hash + status), the fields in the event and the approval's calldata; "
        f"bond with approval required, holder cap {APPROVAL_RULES.holder_cap}, allowedClasses "
        "General+Specified, both parties' registry records checked at apply and again at approval",
    )


def batch_person(i: int) -> PersonalData:
    """The i-th investor of a batch: SAMPLE_PERSON's name, and its address with other numbers
    (the envelope of the single-call measurement, each row its own)."""
    return PersonalData(
        name=SAMPLE_PERSON.name,
        address=f"東京都千代田区丸の内一丁目{i % 9 + 1}番{i % 7 + 1}号 カブトビル {i % 90 + 10}階",
    )


def measure_onboard_batch(ctx: BenchContext, kp: KabutoPlatform) -> Outcome:
    """`onboardInvestors` of ONBOARD_BATCH new investors, each with its own real envelope, sent
    by kabuto.ops.onboard_batch as `ape run onboard` sends it: gas per investor."""
    registry, before = kp.registry, int(kp.registry.investorCount())
    rows = kp.batch_rows([ctx.new_address() for _ in range(ONBOARD_BATCH)])
    receipt = registry.onboardInvestors(
        kp.ops.issuer, *batch_arguments(rows), sender=kp.ops.registrar
    )
    expect(
        int(registry.investorCount()) == before + ONBOARD_BATCH
        and len(receipt.events.filter(registry.PersonalDataStored)) == ONBOARD_BATCH
        and all(registry.isEligible(row.wallet) for row in rows[:: ONBOARD_BATCH // 10]),
        "Kabuto batch onboarding did not register every investor with its data",
    )
    sizes = sorted(len(row.ciphertext) for row in rows)
    return per_unit(
        "kabuto.onboard_investor.batch100_per_investor",
        receipt,
        ONBOARD_BATCH,
        f"onboardInvestors of {ONBOARD_BATCH} new investors in one transaction: {{total:,}} gas "
        f"/ {ONBOARD_BATCH}; each its own envelope ({sizes[0]}-{sizes[-1]} bytes, name and address "
        "encrypted to the issuer's registered key), the same records and events as onboardInvestor",
    )


def per_unit(key: str, receipt: Any, units: int, note: str) -> GasMeasurement:
    """One transaction's gas per unit of work in it; `note` may name the total as {total}."""
    total = gas_of(key, [receipt]).gas
    return GasMeasurement(key=key, gas=round(total / units), txs=1, note=note.format(total=total))


def _permit(kp: KabutoPlatform, owner: Any, value: int, deadline: int) -> tuple[int, bytes, bytes]:
    yen = kp.platform.yen
    domain = Eip712Domain.from_eip5267(yen.eip712Domain())
    message = Permit(owner.address, kp.platform.dvp.address, value, yen.nonces(owner), deadline)
    signature = sign_typed(owner.private_key, domain, message)
    return signature.v, signature.r, signature.s


def _fund_yen(kp: KabutoPlatform, wallets: list[Any], amount: int) -> None:
    for wallet in wallets:
        kp.platform.yen.mint(wallet, amount, sender=kp.ops.trust_bank)


def measure_dvp(ctx: BenchContext, kp: KabutoPlatform) -> Outcome:
    """One bilateral DvP, every transaction counted: the seller's lock carrying the instruction +
    the buyer's acceptance. Counted: the buyer becomes a holder of the bond, the seller already
    holds yen, the buyer's yen authorised by a standing allowance to the DvP contract (one approve
    when the buyer starts trading, like the venue participants' authorisations: not a transaction
    of any one settlement). Also measured, in the note: the same pair again (buyer already holds)
    and a buyer without an allowance paying through a permit in its acceptance."""
    token, dvp, yen = kp.token, kp.platform.dvp, kp.platform.yen
    seller, buyer, permit_buyer = kp.investor(ctx), kp.investor(ctx), kp.investor(ctx)
    token.issue(seller, 100 * AMOUNT, b"", sender=kp.ops.issuer)
    _fund_yen(kp, [buyer, permit_buyer, seller], YEN_PER_INVESTOR)
    amount = AMOUNT * PRICE
    yen.approve(dvp, YEN_PER_INVESTOR, sender=buyer)  # the standing allowance (setup)

    def settled(payer: Any, before: tuple[int, int]) -> None:
        expect(
            token.balanceOf(payer) == before[0] + AMOUNT
            and yen.balanceOf(seller) == before[1] + amount,
            "Kabuto DvP did not move both legs",
        )

    def measured(payer: Any, with_permit: bool = False) -> list[Any]:
        before = (token.balanceOf(payer), yen.balanceOf(seller))
        if with_permit:
            instruction = instruct_dvp(kp.platform, token, seller, payer.address, AMOUNT, amount)
            deadline = ctx.chain.pending_timestamp + 3600
            accept = dvp.acceptWithPermit(
                instruction.as_tuple(),
                deadline,
                *_permit(kp, payer, amount, deadline),
                sender=payer,
            )
            receipts = [last_lock(seller, token), accept]
        else:
            receipts = lock_and_accept_standing(kp, seller, payer, amount)
        settled(payer, before)
        return receipts

    expect(token.balanceOf(buyer) == 0, "the counted DvP must make the buyer a new holder")
    counted = measured(buyer)
    repeat = measured(buyer)
    permit_variant = measured(permit_buyer, with_permit=True)
    total = lambda receipts: sum(int(r.gas_used) for r in receipts)  # noqa: E731
    return gas_of(
        "kabuto.dvp.total",
        counted,
        note=(
            f"counted: seller token.lock(dvp) carrying the instruction + buyer accept: {total(counted):,} gas, "
            "2 txs; the buyer becomes a holder, the seller already holds yen, the buyer's yen authorised by a "
            "standing allowance to the DvP contract (set once, not per settlement). Same pair again (buyer "
            f"already holds): {total(repeat):,}. A buyer without an allowance, acceptWithPermit (EIP-2612 signed "
            f"off-chain; its first permit, so its nonce slot is new): {total(permit_variant):,}. Both legs "
            "on-chain, both parties' eligibility checked by the token; no issuer approval (not required by the "
            "bond)"
        ),
    )


def last_lock(seller: Any, token: Any) -> Any:
    """The receipt of the lock instruct_dvp just sent for ``seller``."""
    receipt = seller.history[-1]
    expect(
        receipt.receiver == token.address and receipt.method_called.name == "lock",
        f"the last transaction of {seller} is not its lock on {token.address}",
    )
    return receipt


def lock_and_accept_standing(kp: KabutoPlatform, seller: Any, buyer: Any, amount: int) -> list[Any]:
    """The standing-allowance variant: lock + accept (the allowance was approved earlier)."""
    instruction: DvpInstruction = instruct_dvp(
        kp.platform, kp.token, seller, buyer.address, AMOUNT, amount
    )
    lock = last_lock(seller, kp.token)
    accept = kp.platform.dvp.accept(instruction.as_tuple(), sender=buyer)
    return [lock, accept]


def venue_batch(
    kp: KabutoPlatform, participants: list[Any], trades: int
) -> tuple[list[str], list[tuple[int, ...]]]:
    """Sorted participant addresses and ``trades`` trades among them (each a different pair in
    turn, one unit at PRICE yen), as a venue's execution file would list them."""
    addresses = sorted((p.address for p in participants), key=lambda a: int(a, 16))
    n = len(addresses)
    rows = []
    for i in range(trades):
        seller, step = i % n, 1 + (i // n) % (n - 1)
        rows.append((seller, (seller + step) % n, 0, 1, PRICE))
    return addresses, rows


def measure_batch(
    ctx: BenchContext,
    kp: KabutoPlatform,
    trades: int = BATCH_TRADES,
    participants: int = BATCH_PARTICIPANTS,
) -> Outcome:
    """A ``trades``-trade venue batch through BatchSettlement: gas of settleBatch / trades.
    Setup (participants' locks to the venue and yen approvals) is not per trade."""
    token, batch, yen = kp.token, kp.platform.batch, kp.platform.yen
    wallets = [kp.investor(ctx) for _ in range(participants)]
    token.batchIssue(
        [w.address for w in wallets], [trades] * participants, b"", sender=kp.ops.issuer
    )
    _fund_yen(kp, wallets, YEN_PER_INVESTOR)
    for wallet in wallets:  # standing lock and allowance: what participants do before trading
        token.lock(batch, trades, b"", sender=wallet)
        yen.approve(batch, trades * PRICE, sender=wallet)
    addresses, rows = venue_batch(kp, wallets, trades)
    batch_id = keccak(text=f"kabuto.bench.venue.batch.{ctx.label}")
    receipt = batch.settleBatch(
        batch_id, addresses, [token.address], rows, sender=kp.ops.venue_agent
    )
    expect(batch.isSettled(batch_id), "Kabuto venue batch not settled")
    return per_unit(
        "kabuto.batch_settlement.per_trade",
        receipt,
        trades,
        f"settleBatch of {trades} trades among {participants} participants, one token: "
        f"{{total:,}} gas / {trades}; security legs from the venue lock under every token rule, "
        "yen netted (one payment per participant); setup locks/approvals not counted",
    )


def measure(ctx: BenchContext, batch_trades: int = BATCH_TRADES) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="kabuto-bench-") as workdir:
        kp = deploy(ctx, Path(workdir))
        return measure_token(ctx, kp) + [measure_dvp(ctx, kp), measure_batch(ctx, kp, batch_trades)]


PEER = Peer(name="kabuto", title="Kabuto", keys=KEYS, measure=measure)
