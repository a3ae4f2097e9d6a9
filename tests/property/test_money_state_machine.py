"""Stateful property-based test of the money paths (issue 14): a bond's coupons and maturity
redemption, DvP with both parties' wallets replaced or recovered, and a foreign token contract.

A Hypothesis RuleBasedStateMachine drives a one-year bond (100,000 yen a unit, 0.35% a year,
two regular half-year coupons, the second and the redemption on the maturity day moved to the
preceding business day), held by five investors of every tax status (resident individual,
domestic corporation, non-resident with a treaty rate, exempt, undeclared), with the yen coin in
open mode (what `ape run deploy` sets up: the coin itself does not stop a lost wallet). Wallets
are replaced in the registry (a lost key) and recovered on the token now or later, around the
record dates and around unpaid and held payments; holders are frozen and unfrozen; the paying
agent declares, funds and pays coupons and the redemption in batches naming current and lost
wallets, holders claim (current wallets and lost keys), anyone releases held payments, the agent
pays recovered wallets; DvP instructions are accepted, cancelled and refused by named and
current wallets; a foreign token contract whose registry names a real investor tries every
settlement and payment entry point. Every operation is predicted by money_model.py first (a
refusal is checked by eth_call for its custom error, a success is sent and must succeed).

Invariants after every step: every wallet's yen and units, the DvP locks and the paying
contract's yen equal the model's, whose amounts are computed independently (175 yen a unit a
coupon; withholding by tax status); and, on every yen Transfer of the step: yen left a wallet
only in that wallet's own transaction (its transfer, or the DvP acceptance it made as the buyer,
then only to the instruction's seller's current wallet); yen the payment contract sent went
only to the tax account or an investor's current wallet; no lost wallet received yen except by
someone's own transfer to it.

Run length: KABUTO_MONEY_PBT_EXAMPLES (default 12) examples of KABUTO_MONEY_PBT_STEPS (default
35) steps; `make money-properties` runs 200 x 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from fixtures.platform import AGENT_ROLE, COMPLIANCE_ROLE, JAPAN, REGISTRAR_ROLE
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from kabuto.business_days import adjust
from kabuto.coupons import end_of_jst_day, jst_day, jst_midnight
from kabuto.onchain_types import (
    BondTerms,
    BusinessDayConvention,
    Category,
    InvestorClass,
    Kind,
    Rules,
    TaxStatus,
)
from property.machine_support import (
    FOREIGN_ACTIONS,
    Context,
    ForeignTargets,
    checked_step,
    foreign_attempts,
    rpc_for,
    run_machine,
)
from property.model import Expect, Instruction
from property.money_model import MoneyModel, Pay, Payout
from property.rpc import Abi, Rpc
from property.run_stats import STATS, setting

EXAMPLES = setting("KABUTO_MONEY_PBT_EXAMPLES", 12)
STEPS = setting("KABUTO_MONEY_PBT_STEPS", 35)

DAY = 86_400
MAX_UINT = 2**256 - 1
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
NEVER = 2**40 - 1
TREATY = 100_000  # 10% in millionths (money_model.TREATY_PERCENT)
PLATFORM_RATES = [(153_150, 50_000), (153_150, 50_000), (153_150, 0), (153_150, 0), (0, 0)]
# Every tax status, the non-resident with the treaty rate; units held at the start.
INVESTORS = {
    "A": (InvestorClass.GENERAL, TaxStatus.RESIDENT_INDIVIDUAL, 30),
    "B": (InvestorClass.SPECIALLY_PERMITTED, TaxStatus.DOMESTIC_CORPORATION, 20),
    "C": (InvestorClass.QUALIFIED_INSTITUTIONAL, TaxStatus.NON_RESIDENT, 11),
    "D": (InvestorClass.QUALIFIED_INSTITUTIONAL, TaxStatus.EXEMPT, 7),
    "E": (InvestorClass.GENERAL, TaxStatus.UNDECLARED, 3),
}
YEN_START = 2_000_000
AGENT_YEN = 10**13  # the paying agent's
SPARES = 4
OFFER_PRICE = 1_000  # yen a unit of the offered issue
OFFER_MAX = 50  # units an investor may apply for


def _address(label: str) -> str:
    return to_checksum_address("0x" + keccak(text=f"kabuto money machine: {label}")[-20:].hex())


def _jst_time(timestamp: int, days: int, hours: int) -> int:
    """`hours` o'clock JST, `days` after the JST day of `timestamp`. Milestones are at JST
    midnight, small clock moves at 06:00 and instruction expiries at noon: six hours apart at
    least, so a few seconds of block-time drift never decide an outcome."""
    return jst_midnight(jst_day(timestamp) + timedelta(days=days)) + hours * 3_600


def _months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, day.day)


@dataclass
class Money:
    """One deployed money platform and its timeline."""

    admin: str  # registrar, token admin, agent and compliance, paying agent, venue agent
    tax: str
    outsider: str
    wallets: dict[str, str]
    spares: tuple[str, ...]
    registry: str
    coin: str
    token: str
    offered: str  # a second issue, sold through the offering
    proceeds: str  # the issuer's receiving account for the offering
    dvp: str
    venue: str
    corporate: str
    offering: str
    foreign: str
    record_times: tuple[int, int]
    pay_times: tuple[int, int]  # the second is also the maturity redemption's
    abi: dict[str, Abi]


@pytest.fixture(scope="module")
def money(project, chain, accounts) -> Money:
    admin = accounts[0]
    rpc = Rpc(chain.provider.uri, {})
    labels = [*INVESTORS, *(f"spare{i}" for i in range(SPARES)), "tax", "outsider", "proceeds"]
    addresses = {label: _address(label) for label in labels}
    for address in addresses.values():
        rpc.request("anvil_impersonateAccount", [address])
        rpc.request("anvil_setBalance", [address, hex(10**20)])
    registry = project.InvestorRegistry.deploy(admin, sender=admin)
    registry.grantRole(REGISTRAR_ROLE, admin, sender=admin)
    for name, (cls, status, _) in INVESTORS.items():
        investor_id = keccak(text=f"money investor {name}")
        registry.registerInvestor(
            investor_id, addresses[name], int(cls), JAPAN, NEVER, sender=admin
        )
        if status != TaxStatus.UNDECLARED:
            registry.setTaxStatus(investor_id, int(status), sender=admin)
    coin = project.YenCoin.deploy("Kabuto Trust Yen", "KJPY", admin, registry, sender=admin)
    coin.grantRole(coin.MASTER_MINTER_ROLE(), admin, sender=admin)
    coin.configureMinter(admin, 10**18, sender=admin)
    dvp = project.DvPSettlement.deploy(coin, registry, sender=admin)
    venue = project.BatchSettlement.deploy(coin, registry, admin, sender=admin)
    venue.grantRole(venue.AGENT_ROLE(), admin, sender=admin)
    corporate = project.CorporateActions.deploy(
        coin, registry, admin, addresses["tax"], sender=admin
    )
    corporate.setWithholding(PLATFORM_RATES, sender=admin)
    offering = project.PrimaryOffering.deploy(registry, sender=admin)
    fake_registry = project.ForeignRegistry.deploy(addresses["A"], sender=admin)
    foreign = project.ForeignSecurityToken.deploy(fake_registry, coin, 1_000, sender=admin)

    # The bond: issued on the first of next month, coupons six and twelve months later.
    issue = _months(jst_day(chain.pending_timestamp).replace(day=1), 1)
    scheduled = (_months(issue, 6), _months(issue, 12))
    record_days = tuple(d - timedelta(days=14) for d in scheduled)
    pay_days = tuple(adjust(d, BusinessDayConvention.PRECEDING) for d in scheduled)
    terms = BondTerms(
        face_value=100_000,
        coupon_rate=3_500,
        coupons_per_year=2,
        issue_date=jst_midnight(issue),
        maturity_date=jst_midnight(scheduled[1]),
        redemption_value=100_000,
        interest_payment_dates=tuple(jst_midnight(d) for d in scheduled),
        interest_record_dates=tuple(end_of_jst_day(d) for d in record_days),
        payment_token=coin.address,
    )
    token = project.SecurityToken.deploy(
        "Kabuto money bond",
        "KMNY",
        int(Category.CLASS1),
        int(Kind.BOND),
        registry,
        admin,
        Rules().as_tuple(),
        terms.encode(),
        sender=admin,
    )
    for role in (AGENT_ROLE, COMPLIANCE_ROLE):
        token.grantRole(role, admin, sender=admin)
    token.grantRole(AGENT_ROLE, corporate, sender=admin)  # it burns what the redemption pays
    token.setSettlementLockAddress(dvp, sender=admin)  # explicit since issue 16
    token.authorizeLockAddress(dvp, True, True, sender=admin)
    registry.setPlatformToken(token, True, sender=admin)
    corporate.setTreatyRate(token, keccak(text="money investor C"), TREATY, True, sender=admin)
    # A second issue, offered through PrimaryOffering (subscribers pay against the issue).
    offered = project.SecurityToken.deploy(
        "Kabuto offered bond",
        "KOFR",
        int(Category.CLASS1),
        int(Kind.BOND),
        registry,
        admin,
        Rules().as_tuple(),
        b"",
        sender=admin,
    )
    offered.grantRole(AGENT_ROLE, admin, sender=admin)
    offered.grantRole(AGENT_ROLE, offering, sender=admin)
    registry.setPlatformToken(offered, True, sender=admin)
    abi = {
        "registry": Abi.of(project.InvestorRegistry),
        "token": Abi.of(project.SecurityToken),
        "coin": Abi.of(project.YenCoin),
        "dvp": Abi.of(project.DvPSettlement),
        "venue": Abi.of(project.BatchSettlement),
        "corporate": Abi.of(project.CorporateActions),
        "offering": Abi.of(project.PrimaryOffering),
        "foreign": Abi.of(project.ForeignSecurityToken),
    }
    coin.mint(admin, AGENT_YEN, sender=admin)  # the paying agent's yen
    coin.approve(corporate, MAX_UINT, sender=admin)
    for name, (_, _, units) in INVESTORS.items():
        wallet = addresses[name]
        token.issue(wallet, units, b"", sender=admin)
        coin.mint(wallet, YEN_START, sender=admin)
        # Every allowance an attacker would want: the DvP contract, the venue, the offering.
        for spender in (dvp, venue, offering, corporate):
            rpc.send(wallet, coin.address, abi["coin"]["approve"].encode(spender.address, MAX_UINT))
    return Money(
        admin=admin.address,
        tax=addresses["tax"],
        outsider=addresses["outsider"],
        wallets={name: addresses[name] for name in INVESTORS},
        spares=tuple(addresses[f"spare{i}"] for i in range(SPARES)),
        registry=registry.address,
        coin=coin.address,
        token=token.address,
        offered=offered.address,
        proceeds=addresses["proceeds"],
        dvp=dvp.address,
        venue=venue.address,
        corporate=corporate.address,
        offering=offering.address,
        foreign=foreign.address,
        record_times=terms.interest_record_dates,
        pay_times=tuple(jst_midnight(d) for d in pay_days),
        abi=abi,
    )


@pytest.fixture(scope="module")
def money_rpc(chain, money) -> Rpc:
    return rpc_for(chain.provider.uri, money.abi.values())


class MoneyMachine(RuleBasedStateMachine):
    context: Context

    def __init__(self) -> None:
        super().__init__()
        ctx = self.context
        ctx.restart()  # every example starts from the deployed base state
        self.m, self.rpc = ctx.platform, ctx.rpc
        m = self.m
        self.model = MoneyModel(
            status={n: s for n, (_, s, _) in INVESTORS.items()},
            treaty={"C"},
            wallet=dict(m.wallets),
            units={m.wallets[n]: u for n, (_, _, u) in INVESTORS.items()},
            yen={**{w: YEN_START for w in m.wallets.values()}, m.admin: AGENT_YEN},
            allowance=set(m.wallets.values()),
            tax_account=m.tax,
        )
        self.model.now = self.rpc.timestamp()
        self.spares = list(m.spares)
        self.unrecovered: list[tuple[str, str]] = []
        self.salt = 0
        # (step name, receipt, the only wallet the yen of a DvP acceptance may go to)
        # (step name, receipt, the only wallet a DvP acceptance's yen may go to, the one pull by
        # someone else the step may make: (wallet, counterparty) of an offering it applied to)
        self.receipts: list[tuple[str, dict[str, Any], str | None, tuple[str, str] | None]] = []
        # The offering (at most one an example, id 0): its end, whether closed, the investors'
        # applications [units, "applied" | "allotted" | "settled"], the offered units by wallet.
        self.offer_end: int | None = None
        self.offer_closed = False
        self.applications: dict[str, list[Any]] = {}
        self.offered_units: dict[str, int] = {}
        STATS.examples += 1

    # ------------------------------------------------------------ plumbing

    def enc(self, contract: str, fn: str, *args: Any) -> bytes:
        return self.m.abi[contract][fn].encode(*args)

    def step(
        self,
        name: str,
        expect: Expect | None,
        sender: str,
        to: str,
        data: bytes,
        paid_to: str | None = None,
        pulled: tuple[str, str] | None = None,
    ) -> bool:
        """A predicted operation (machine_support.checked_step); `paid_to`: the only wallet a
        DvP acceptance's yen may go to; `pulled`: the (wallet, counterparty) whose yen the step
        may move although the wallet did not send it (an offering it applied to). True if sent."""
        receipt = checked_step(self.rpc, f"money_{name}", expect, sender, to, data)
        if receipt is not None:
            self.receipts.append((name, receipt, paid_to, pulled))
        return receipt is not None

    def refresh(self) -> None:
        self.model.now = self.rpc.timestamp()

    def names(self) -> list[str]:
        return list(INVESTORS)

    def pool(self) -> list[str]:
        """Everyone a payment or claim may name: current wallets, lost keys, the outsider."""
        return [*self.model.wallet.values(), *self.model.lost, self.m.outsider]

    def universe(self) -> list[str]:
        m = self.m
        return [
            *m.wallets.values(),
            *m.spares,
            m.outsider,
            m.tax,
            m.proceeds,
            m.admin,
            m.dvp,
            m.corporate,
        ]

    # ------------------------------------------------------------ the clock

    def _milestones(self) -> list[int]:
        m = self.m
        times = [m.record_times[0] + 1, m.pay_times[0], m.record_times[1] + 1, m.pay_times[1]]
        return [t for t in times if t > self.model.now]

    @rule(jump=st.integers(0, 3), days=st.integers(1, 3))
    def clock(self, jump: int, days: int) -> None:
        """Mostly the next record date or payment day, else a few days (instructions expire)."""
        STATS.count_rule("money_clock")
        ahead = self._milestones()
        target = ahead[0] if jump and ahead else _jst_time(self.model.now, days, 6)
        if ahead and not jump:
            target = min(target, ahead[0])
        self.rpc.request("evm_setNextBlockTimestamp", [hex(target)])
        self.rpc.request("evm_mine", [])
        self.refresh()
        for index, record in enumerate(self.m.record_times):
            if record < self.model.now and index not in self.model.snapshots:
                self.model.pass_record_date(index)

    # ------------------------------------------------------------ wallets

    def replace_wallet(self, h: int, recover: bool) -> None:
        """A lost key: the registrar replaces the wallet; the agent recovers the bond now or
        later (recover_pending); the new wallet authorises the DvP contract on the coin."""
        self.refresh()
        name = self.names()[h]
        new = self.spares.pop()
        investor_id = keccak(text=f"money investor {name}")
        data = self.enc("registry", "replaceWallet", investor_id, new)
        assert self.step("replace_wallet", None, self.m.admin, self.m.registry, data)
        lost = self.model.replace(name, new)
        if recover:
            self.recover(lost, new)
        else:
            self.unrecovered.append((lost, new))
        for spender in (self.m.dvp, self.m.offering):
            data = self.enc("coin", "approve", spender, MAX_UINT)
            assert self.step("approve_yen", None, new, self.m.coin, data)
        self.model.allowance.add(new)

    def recover_pending(self) -> None:
        self.refresh()
        self.recover(*self.unrecovered.pop(0))

    def recover(self, lost: str, new: str) -> None:
        expect = self.model.predict_recovery(lost, new)
        data = self.enc("token", "recoveryAddress", lost, new)
        if self.step("recovery", expect, self.m.admin, self.m.token, data):
            self.model.apply_recovery(lost, new)

    def freeze(self, h: int, frozen: bool) -> None:
        """Compliance freezes or unfreezes a current or lost wallet on the bond."""
        pool = self.pool()
        wallet = pool[h % len(pool)]
        data = self.enc("token", "setAddressFrozen", wallet, frozen)
        assert self.step("freeze", None, self.m.admin, self.m.token, data)
        (self.model.frozen.add if frozen else self.model.frozen.discard)(wallet)

    # ------------------------------------------------------------ the bond and yen

    def transfer_units(self, s: int, r: int, share: int) -> None:
        self.refresh()
        pool = self.pool()
        sender, to = pool[s % len(pool)], self.model.wallet[self.names()[r]]
        free = self.model.free(sender)
        value = max(1, free * share // 100) if share <= 100 else free + share - 100
        expect = self.model.predict_transfer(sender, to, value)
        data = self.enc("token", "transfer", to, value)
        if self.step("transfer_units", expect, sender, self.m.token, data):
            self.model.move(sender, to, value)

    def transfer_yen(self, s: int, r: int, share: int) -> None:
        """Any wallet, a lost key too, moves its own yen (in open mode the coin does not stop it)."""
        pool = self.pool()
        sender, to = pool[s % len(pool)], pool[r % len(pool)]
        have = self.model.yen.get(sender, 0)
        amount = max(1, have * share // 100) if share <= 100 else have + share
        data = self.enc("coin", "transfer", to, amount)
        if self.step(
            "transfer_yen", self.model.predict_yen(sender, amount), sender, self.m.coin, data
        ):
            self.model.move_yen(sender, to, amount)

    # ------------------------------------------------------------ DvP

    def instruct(self, s: int, b: int, share: int, amount: int, days: int) -> None:
        """An investor's current wallet locks units to DvP for another investor's wallet
        (current, or a lost one: the instruction must follow that investor)."""
        self.refresh()
        seller = self.model.wallet[self.names()[s]]
        others = [w for w in self.pool() if self.model.owner.get(w) not in (None, self.names()[s])]
        buyer = others[b % len(others)]
        free = self.model.free(seller)
        quantity = max(1, free * share // 100) if share <= 100 else free + share - 100
        expiry = _jst_time(self.model.now, days, 12)
        self.salt += 1
        salt = self.salt.to_bytes(32, "big")
        lock_data = encode(
            ["address", "uint256", "uint40", "bytes32"], [buyer, amount, expiry, salt]
        )
        expect = self.model.predict_instruct(seller, quantity)
        data = self.enc("token", "lock", self.m.dvp, quantity, lock_data)
        if self.step("dvp_instruct", expect, seller, self.m.token, data):
            ins = Instruction(self.m.token, seller, buyer, quantity, amount, expiry, salt)
            ins_id = keccak(
                encode(
                    ["(address,address,address,uint256,uint256,uint40,bytes32)"],
                    [ins.as_tuple()],
                )
            )
            self.model.instructions[ins_id] = ins
            self.model.locked[seller] = self.model.locked.get(seller, 0) + quantity

    @precondition(lambda self: bool(self.model.instructions))
    @rule(
        pick=st.integers(0, 10**6),
        op=st.sampled_from(["accept", "accept", "accept", "cancel", "refuse", "release"]),
        named=st.booleans(),
    )
    def settle(self, pick: int, op: str, named: bool) -> None:
        """Acceptance, cancel and refusal by the named wallet (a lost key, after a replacement)
        or the investor's current wallet; release by anyone after expiry."""
        self.refresh()
        ids = sorted(self.model.instructions)
        ins_id = ids[pick % len(ids)]
        ins = self.model.instructions[ins_id]
        data = self.enc("dvp", op, ins.as_tuple())
        if op == "accept":
            caller = ins.buyer if named else self.model.current(ins.buyer)
            expect = self.model.predict_accept(ins, caller)
            seller, _ = self.model.accept_parties(ins)
            if self.step("dvp_accept", expect, caller, self.m.dvp, data, paid_to=seller):
                self.model.apply_accept(ins_id, caller)
            return
        party = {"cancel": ins.seller, "refuse": ins.buyer, "release": None}[op]
        caller = (
            self.m.outsider if party is None else (party if named else self.model.current(party))
        )
        if self.step(
            f"dvp_{op}", self.model.predict_close(ins, caller, party), caller, self.m.dvp, data
        ):
            self.model.apply_close(ins_id)

    # ------------------------------------------------------------ coupons and the redemption

    def _declarable(self) -> list[int]:
        """Coupons whose record date has passed and the redemption (after the last record
        date), not declared yet: 0, 1 coupons; 2 the redemption."""
        declared = {(p.redemption, p.index) for p in self.model.payments.values()}
        out = [i for i in (0, 1) if i in self.model.snapshots and (False, i) not in declared]
        if 1 in self.model.snapshots and (True, 0) not in declared:
            out.append(2)
        return out

    def declare(self, pick: int) -> None:
        """The paying agent declares and funds a coupon (payable on its business day) or the
        maturity redemption."""
        self.refresh()
        choices = self._declarable()
        what = choices[pick % len(choices)]
        redemption = what == 2
        pay_time = self.m.pay_times[1 if redemption else what]
        deadline = pay_time + 60 * DAY
        if redemption:
            data = self.enc(
                "corporate", "declareMaturityRedemption", self.m.token, pay_time, deadline
            )
        else:
            data = self.enc(
                "corporate", "declareInterest", self.m.token, what, what, pay_time, deadline
            )
        assert self.step("declare", None, self.m.admin, self.m.corporate, data)
        pay = Pay(len(self.model.payments) + 1, redemption, 0 if redemption else what, pay_time)
        self.model.payments[pay.id] = pay
        required = self.model.required(pay)
        data = self.enc("corporate", "fund", pay.id)
        assert self.step("fund", None, self.m.admin, self.m.corporate, data)
        self.model.move_yen(self.m.admin, self.m.corporate, required)
        pay.funded = required

    def _payment(self, pick: int) -> Pay | None:
        """A declared payment (one already payable, when there is one), or one time in twelve
        an id nobody declared."""
        pays = sorted(self.model.payments.values(), key=lambda p: p.id)
        due = [p for p in pays if p.payment_date <= self.model.now]
        if not pays or pick % 12 == 11:
            return None
        choices = due if due and pick % 4 else pays
        return choices[pick % len(choices)]

    def _settle_all(self, pay: Pay, holders: list[str]) -> None:
        for holder in holders:
            out = self.model.settle(pay, holder)
            if out is not None:
                self.model.apply_payout(pay, out, self.m.corporate)

    def pay_batch(self, pick: int, picks: list[int]) -> None:
        """The agent pays holders it names: current wallets, lost keys, anyone."""
        self.refresh()
        pay = self._payment(pick)
        pool = self.pool()
        holders = [pool[i % len(pool)] for i in picks]
        data = self.enc("corporate", "payBatch", pay.id if pay else 99, holders)
        if self.step("pay_batch", self.model.payable(pay), self.m.admin, self.m.corporate, data):
            self._settle_all(pay, holders)

    def claim(self, pick: int, h: int) -> None:
        """A holder claims: its current wallet (with its latest lost wallet's entitlement), or
        a lost key, which is refused."""
        self.refresh()
        pay = self._payment(pick)
        pool = self.pool()
        caller = pool[h % len(pool)]
        expect, payouts = self.model.predict_claim(pay, caller)
        data = self.enc("corporate", "claim", pay.id if pay else 99)
        if self.step("claim", expect, caller, self.m.corporate, data):
            self._settle_all(pay, [p.holder for p in payouts])

    def release_held(self, pick: int, h: int) -> None:
        """Anyone releases a held payment: it goes to the holder's investor's current wallet."""
        pay = self._payment(pick)
        held = [w for w, s in pay.entries.items() if s == "held"] if pay else []
        pool = held if held and h % 3 else self.pool()
        holder = pool[h % len(pool)]
        data = self.enc("corporate", "releaseHeld", pay.id if pay else 99, holder)
        if self.step(
            "release_held",
            self.model.predict_release(pay, holder),
            self.m.outsider,
            self.m.corporate,
            data,
        ):
            self.model.apply_release(pay, holder, self.m.corporate)

    def pay_recovered(self, pick: int, h: int, right: bool) -> None:
        """The agent pays a lost wallet's entitlement to the investor's current wallet (or
        names another wallet, refused)."""
        self.refresh()
        pays = sorted(self.model.payments)
        pay = self.model.payments[pays[pick % len(pays)]]
        lost = self.model.lost[h % len(self.model.lost)]
        new = self.model.current(lost) if right else self.pool()[h % len(self.pool())]
        data = self.enc("corporate", "payToRecoveredWallet", pay.id, lost, new)
        expect: Expect | None
        out: Payout | None = None
        if lost == new or self.model.current(lost) != new:
            expect = Expect("CorporateNotRecoveredWallet")
        elif pay.entries.get(lost) == "held":
            expect = self.model.predict_release(pay, lost)
        else:
            expect = self.model.payable(pay)
            out = self.model.settle(pay, lost) if expect is None else None
            if expect is None and out is None:
                expect = Expect("CorporateNothingToClaim")
        if self.step("pay_recovered", expect, self.m.admin, self.m.corporate, data):
            if out is None:
                self.model.apply_release(pay, lost, self.m.corporate)
            else:
                self.model.apply_payout(pay, out, self.m.corporate)

    # ------------------------------------------------------------ grouped rules
    # Hypothesis picks among rules: grouping the small operations gives the multi-step flows
    # (payments after record dates, settlement after instructions) their share of the steps.

    @rule(
        op=st.sampled_from(["replace", "replace", "recover_pending", "freeze", "unfreeze"]),
        h=st.integers(0, 20),
        flag=st.booleans(),
    )
    def wallets(self, op: str, h: int, flag: bool) -> None:
        """Lost keys replaced (recovered on the bond now or later), wallets frozen and unfrozen."""
        if op == "replace" and self.spares:
            self.replace_wallet(h % len(INVESTORS), flag)
        elif op == "recover_pending" and self.unrecovered:
            self.recover_pending()
        else:
            self.freeze(h, op != "unfreeze")

    @rule(
        op=st.sampled_from(["units", "yen", "instruct", "instruct", "accept", "accept", "close"]),
        s=st.integers(0, 20),
        r=st.integers(0, 20),
        share=st.integers(1, 110),
        amount=st.integers(1, 1_500_000),
        days=st.integers(1, 3),
    )
    def market(self, op: str, s: int, r: int, share: int, amount: int, days: int) -> None:
        """Holders move units and yen; sellers instruct DvP deliveries, buyers accept them."""
        if op in ("accept", "close") and self.model.instructions:
            action = "accept" if op == "accept" else ("cancel", "refuse", "release")[share % 3]
            self.settle(amount, action, s % 2 == 0)
        elif op == "units":
            self.transfer_units(s, r % len(INVESTORS), share)
        elif op == "yen":
            self.transfer_yen(s, r, share)
        else:
            self.instruct(s % len(INVESTORS), r, share, amount, days)

    @rule(
        op=st.sampled_from(["declare", "pay", "claim", "claim", "release", "recovered"]),
        pick=st.integers(0, 10**6),
        h=st.integers(0, 20),
        picks=st.lists(st.integers(0, 20), min_size=1, max_size=4),
        flag=st.booleans(),
    )
    def payments(self, op: str, pick: int, h: int, picks: list[int], flag: bool) -> None:
        """Coupons and the redemption: declared and funded once due, paid in the agent's
        batches, claimed, released when held, paid to recovered wallets."""
        if not self.model.payments and not self._declarable() and self._milestones():
            self.clock(1, 1)  # Hypothesis may have switched the clock rule off (swarm testing)
        if (op == "declare" or not self.model.payments) and self._declarable():
            self.declare(pick)
        elif op == "pay":
            self.pay_batch(pick, picks)
        elif op == "release":
            self.release_held(pick, h)
        elif op == "recovered" and self.model.lost and self.model.payments:
            self.pay_recovered(pick, h, flag)
        else:
            self.claim(pick, h)

    # ------------------------------------------------------------ the offering

    @rule(
        op=st.sampled_from(["apply", "apply", "apply", "settle"]),
        h=st.integers(0, 20),
        units=st.integers(1, OFFER_MAX + 10),
        named=st.booleans(),
    )
    def offering(self, op: str, h: int, units: int, named: bool) -> None:
        """The issuer opens an offering of the second issue; investors apply (current wallets,
        or lost keys, refused); the issuer closes it, allots every application in full and
        settles each: the price comes from the investor's current wallet (the one the registry
        holds at settlement), to the proceeds account only."""
        self.refresh()
        m = self.m
        if self.offer_end is None:
            end = _jst_time(self.model.now, 4, 18)
            terms = (
                m.offered,
                m.coin,
                m.proceeds,
                OFFER_PRICE,
                10_000,
                1,
                OFFER_MAX,
                self.model.now,
                end,
            )
            data = self.enc("offering", "openOffering", terms)
            assert self.step("offering_open", None, m.admin, m.offering, data)
            self.offer_end = end
        if op == "settle" and (self.model.now >= self.offer_end or len(self.applications) > 2):
            self.settle_offering()
        else:
            name = self.names()[h % len(INVESTORS)]
            lost = [w for w in self.model.lost if self.model.owner[w] == name]
            caller = lost[-1] if named and lost else self.model.wallet[name]
            expect: Expect | None = None
            if self.offer_closed:
                expect = Expect("OfferingWrongStatus")
            elif self.model.now >= self.offer_end:
                expect = Expect("OfferingWindowNotOpen")
            elif units > OFFER_MAX:
                expect = Expect("OfferingUnitsOutOfRange")
            elif not self.model.registered(caller):
                expect = Expect("OfferingInvestorRestricted")
            elif name in self.applications:
                expect = Expect("OfferingApplicationExists")
            data = self.enc("offering", "applyForOffering", 0, units)
            if self.step("offering_apply", expect, caller, m.offering, data):
                self.applications[name] = [units, "applied"]

    def settle_offering(self) -> None:
        m = self.m
        if not self.offer_closed:
            assert self.step(
                "offering_close",
                None,
                m.admin,
                m.offering,
                self.enc("offering", "closeOffering", 0),
            )
            self.offer_closed = True
            applied = [n for n, (_, status) in self.applications.items() if status == "applied"]
            if applied:
                ids = [keccak(text=f"money investor {n}") for n in applied]
                units = [self.applications[n][0] for n in applied]
                data = self.enc("offering", "allot", 0, ids, units)
                assert self.step("offering_allot", None, m.admin, m.offering, data)
                for n in applied:
                    self.applications[n][1] = "allotted"
        for name, entry in sorted(self.applications.items()):
            if entry[1] != "allotted":
                continue
            wallet, amount = self.model.wallet[name], entry[0] * OFFER_PRICE
            expect = None
            if wallet not in self.model.allowance:
                expect = Expect("ERC20InsufficientAllowance")
            elif self.model.yen.get(wallet, 0) < amount:
                expect = Expect("ERC20InsufficientBalance")
            data = self.enc("offering", "settle", 0, keccak(text=f"money investor {name}"))
            if self.step(
                "offering_settle", expect, m.admin, m.offering, data, pulled=(wallet, m.proceeds)
            ):
                self.model.move_yen(wallet, m.proceeds, amount)
                self.offered_units[wallet] = self.offered_units.get(wallet, 0) + entry[0]
                entry[1] = "settled"

    # ------------------------------------------------------------ the foreign token

    @rule(op=st.sampled_from(FOREIGN_ACTIONS), h=st.integers(0, 4), amount=st.integers(1, 10**6))
    def foreign(self, op: str, h: int, amount: int) -> None:
        """An attacker's token contract, whose registry names investor A everywhere, at every
        settlement and payment entry point, with a real investor's name and allowances."""
        self.refresh()
        m = self.m
        victim = self.model.wallet[self.names()[h]]
        targets = ForeignTargets(
            m.foreign, m.outsider, m.admin, m.coin, m.dvp, m.venue, m.corporate, m.offering, m.abi
        )
        for name, expect, sender, to, data in foreign_attempts(
            targets, op, victim, amount, self.model.now
        ):
            self.step(name, expect, sender, to, data)

    # ------------------------------------------------------------ the invariants

    @invariant()
    def chain_matches_model(self) -> None:
        STATS.steps += 1
        m, tok, coin = self.m, self.m.abi["token"], self.m.abi["coin"]
        accounts = self.universe()
        calls = [(m.coin, coin["balanceOf"].encode(a)) for a in accounts]
        calls += [(m.token, tok["balanceOf"].encode(a)) for a in accounts]
        calls += [(m.token, tok["lockedOf"].encode(m.dvp, a)) for a in accounts]
        calls += [(m.offered, tok["balanceOf"].encode(a)) for a in accounts]
        values = iter(int.from_bytes(v[:32], "big") for v in self.rpc.batch(calls))
        for kind, want in (
            ("yen", self.model.yen),
            ("units", self.model.units),
            ("DvP lock", self.model.locked),
            ("offered units", self.offered_units),
        ):
            for a in accounts:
                got = next(values)
                assert got == want.get(a, 0), f"{kind} of {a}: chain {got}, model {want.get(a, 0)}"
        self._check_receipts()

    def _check_receipts(self) -> None:
        """Where the step's yen went: see the module docstring."""
        m = self.m
        wallets = {*m.wallets.values(), *m.spares, m.outsider}
        current = set(self.model.wallet.values())
        lost = set(self.model.lost)
        for name, receipt, paid_to, pulled in self.receipts:
            sent_by = to_checksum_address(receipt["from"])
            for log in receipt["logs"]:
                if (
                    log["topics"][0] != TRANSFER_TOPIC
                    or to_checksum_address(log["address"]) != m.coin
                ):
                    continue
                sender = to_checksum_address("0x" + log["topics"][1][-40:])
                to = to_checksum_address("0x" + log["topics"][2][-40:])
                if sender in wallets and pulled != (sender, to):
                    assert sender == sent_by, (
                        f"{name}: yen left {sender} in a transaction of {sent_by}"
                    )
                    if name == "dvp_accept":
                        assert to == paid_to and to in current, (
                            f"{name}: the buyer's yen went to {to}, not the seller's current wallet {paid_to}"
                        )
                if sender == m.corporate:
                    assert to == m.tax or to in current, (
                        f"{name}: a payment reached {to}, not a current wallet"
                    )
                if to in lost:
                    assert name == "transfer_yen", f"{name}: yen reached the lost wallet {to}"
        self.receipts.clear()


def test_money_state_machine(money: Money, money_rpc: Rpc) -> None:
    """The money paths against the model, KABUTO_MONEY_PBT_EXAMPLES x KABUTO_MONEY_PBT_STEPS."""
    MoneyMachine.context = Context(money, money_rpc)
    run_machine(MoneyMachine, money_rpc, EXAMPLES, STEPS)
