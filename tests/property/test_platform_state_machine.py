"""Stateful property-based test of the whole platform (issue 9).

A Hypothesis RuleBasedStateMachine drives the investor registry, two security tokens (a Class 2
fund with a holder cap of 3, and an excluded Class 2 fund that needs the issuer's approval), the
yen coin in eligibility mode, bilateral DvP settlement, a venue's batch settlement, the agent's
forced operations (forced transfer, force lock / unlock, lost-wallet replacement and recovery),
the issuer's holding rules, corporate-actions distributions and call redemptions (batches,
claims by current and replaced wallets, releases of held payments) and a foreign token contract
trying every settlement and payment entry point together, against the plain Python model in model.py. Every rule asks the model first: a predicted
success is sent as a transaction and must succeed; a predicted refusal is sent as an eth_call
from the same sender and must revert with the predicted custom error (and ERC-1404 code). After
every step the invariants in docs/assurance.md ("Properties") are checked against the chain.

Run length: KABUTO_PBT_EXAMPLES (default 15) examples of KABUTO_PBT_STEPS (default 40) steps each;
a long run is `make properties` (500 x 50).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from fixtures.platform import AGENT_ROLE, COMPLIANCE_ROLE, JAPAN, REGISTRAR_ROLE, investor_id_for
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from kabuto.onchain_types import (
    ALL_CLASSES,
    PROFESSIONAL_CLASSES,
    ApplicationStatus,
    Category,
    InvestorClass,
    InvestorStatus,
    Kind,
    Rules,
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
from property.model import (
    ZERO,
    CoinModel,
    Expect,
    Instruction,
    Investor,
    Path,
    Payment,
    PlatformModel,
    TokenModel,
    Trade,
)
from property.rpc import Abi, Rpc
from property.run_stats import STATS, setting

EXAMPLES = setting("KABUTO_PBT_EXAMPLES", 15)
STEPS = setting("KABUTO_PBT_STEPS", 40)

DAY = 86_400
HALF_DAY = (
    DAY // 2
)  # every deadline sits half a day off the whole-day clock jumps: no race with block time
MAX_UINT = 2**256 - 1
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
SETTLED_TOPIC = "0x" + keccak(text="Settled(bytes32,address)").hex()
CALL_PRICE = 1_000  # yen per unit of a call redemption (half of every holding)

# The investors: (class, KYC days). E's KYC lapses within a few clock jumps; D gets suspended.
INVESTORS = {
    "A": (InvestorClass.QUALIFIED_INSTITUTIONAL, 400),
    "B": (InvestorClass.SPECIFIED, 400),
    "C": (InvestorClass.GENERAL, 400),
    "D": (InvestorClass.SPECIALLY_PERMITTED, 400),
    "E": (InvestorClass.GENERAL, 3),
}
FUND_START = {"A": 100, "B": 50, "C": 30}  # three holders: the cap of 3 is reached
PRO_START = {"A": 80, "B": 40}
YEN_START = 1_000_000
DISTRIBUTION_PER_UNIT = 100
# What settle_instruction_rule draws from: acceptance six times in ten.
# What agent() draws from: recovery rarer (two fresh wallets per example), rules rarer still.
AGENT_ACTIONS = (
    ("forced_transfer",) * 3
    + ("force_lock", "force_lock", "lock_escrow", "unlock_escrow", "force_unlock", "force_unlock")
    + ("recover", "replace", "recover_pending", "set_rules")
)
PAYMENT_ACTIONS = ("claim", "claim", "release", "declare_call")
SETTLEMENT_ACTIONS = (
    ("approve_and_accept",) * 4 + ("accept",) * 2 + ("approve", "cancel", "reject", "release")
)


@dataclass
class Platform:
    """Addresses and ABIs of one deployed platform, and the base state's parameters."""

    admin: str
    bank: str
    investors: dict[str, str]  # name -> wallet
    outsider: str  # unregistered; also an escrow lock address (authorised, no approval carried)
    spares: tuple[str, ...]  # never registered: the new wallets of lost-wallet recoveries
    registry: str
    coin: str
    dvp: str
    venue: str  # BatchSettlement: a lock address carrying the approval, kept in the lock map
    corporate: str
    offering: str
    foreign: str  # an attacker's token contract (contracts/testing/ForeignSecurityToken.sol)
    fund: str  # Class 2, holder cap 3, no approval
    pro: str  # excluded Class 2, approval required
    kyc_expiry: dict[str, int]
    abi: dict[str, Abi]


# A drawn share of a balance: 1..100 percent of it (rounded up), or 1..20 units more than it.
SHARES = st.integers(1, 120)


def portion(available: int, share: int) -> int:
    """`share` percent of `available` (at least 1 unit), or `share - 100` units beyond it."""
    if share > 100:
        return available + share - 100
    return max(1, -(-available * share // 100))


@pytest.fixture(scope="module")
def platform(project, chain, accounts) -> Platform:
    """One platform for the module: registry, coin (eligibility mode), DvP, corporate actions, two tokens."""
    admin, bank, outsider = accounts[0], accounts[1], accounts[9]
    wallets = dict(zip(INVESTORS, accounts[2:7], strict=True))
    registry = project.InvestorRegistry.deploy(admin, sender=admin)
    registry.grantRole(REGISTRAR_ROLE, admin, sender=admin)
    start = chain.pending_timestamp
    kyc_expiry = {}
    for name, (cls, days) in INVESTORS.items():
        kyc_expiry[name] = start + days * DAY + HALF_DAY
        registry.registerInvestor(
            investor_id_for(wallets[name]),
            wallets[name],
            int(cls),
            JAPAN,
            kyc_expiry[name],
            sender=admin,
        )

    coin = project.YenCoin.deploy("Kabuto Trust Yen", "KJPY", admin, registry, sender=admin)
    for role in (coin.MASTER_MINTER_ROLE(), coin.BLOCKLISTER_ROLE(), coin.PAUSER_ROLE()):
        coin.grantRole(role, admin, sender=admin)
    coin.configureMinter(bank, 10**15, sender=admin)
    dvp = project.DvPSettlement.deploy(coin, registry, sender=admin)
    venue = project.BatchSettlement.deploy(coin, registry, admin, sender=admin)
    venue.grantRole(venue.AGENT_ROLE(), admin, sender=admin)
    corporate = project.CorporateActions.deploy(coin, registry, admin, admin, sender=admin)
    offering = project.PrimaryOffering.deploy(registry, sender=admin)
    fake_registry = project.ForeignRegistry.deploy(wallets["A"], sender=outsider)
    foreign = project.ForeignSecurityToken.deploy(fake_registry, coin, 1_000, sender=outsider)
    for system in (bank, admin, corporate, venue):
        coin.setSystemAccount(system, True, sender=admin)
    coin.setEligibilityRequired(True, sender=admin)

    def token(category: Category, rules: Rules, symbol: str, holders: dict[str, int]) -> Any:
        t = project.SecurityToken.deploy(
            f"{symbol} fund",
            symbol,
            int(category),
            int(Kind.BENEFICIARY),
            registry,
            admin,
            rules.as_tuple(),
            b"",
            sender=admin,
        )
        t.grantRole(AGENT_ROLE, admin, sender=admin)
        t.grantRole(COMPLIANCE_ROLE, admin, sender=admin)
        t.setSettlementLockAddress(dvp, sender=admin)
        t.authorizeLockAddress(dvp, True, True, sender=admin)
        t.authorizeLockAddress(outsider, True, False, sender=admin)
        t.authorizeLockAddress(venue, True, True, sender=admin)
        t.grantRole(AGENT_ROLE, corporate, sender=admin)  # it burns what a call redeems
        registry.setPlatformToken(t, True, sender=admin)
        for name, value in holders.items():
            t.issue(wallets[name], value, b"", sender=admin)
        return t

    fund = token(
        Category.CLASS2, Rules(allowed_classes=ALL_CLASSES, holder_cap=3), "KFND", FUND_START
    )
    pro = token(
        Category.EXCLUDED_CLASS2,
        Rules(allowed_classes=PROFESSIONAL_CLASSES, approval_required=True),
        "KPRO",
        PRO_START,
    )
    for wallet in wallets.values():
        coin.mint(wallet, YEN_START, sender=bank)
        coin.approve(dvp, MAX_UINT, sender=wallet)
        coin.approve(venue, MAX_UINT, sender=wallet)
    coin.approve(corporate, MAX_UINT, sender=admin)

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
    return Platform(
        admin=admin.address,
        bank=bank.address,
        investors={name: w.address for name, w in wallets.items()},
        outsider=outsider.address,
        spares=(accounts[7].address, accounts[8].address),
        registry=registry.address,
        coin=coin.address,
        dvp=dvp.address,
        venue=venue.address,
        corporate=corporate.address,
        offering=offering.address,
        foreign=foreign.address,
        fund=fund.address,
        pro=pro.address,
        kyc_expiry=kyc_expiry,
        abi=abi,
    )


@pytest.fixture(scope="module")
def rpc(chain, platform) -> Rpc:
    return rpc_for(chain.provider.uri, platform.abi.values())


def initial_model(p: Platform, now: int) -> PlatformModel:
    """The model of the base state the fixture deployed."""
    investors = {
        p.investors[name]: Investor(int(cls), InvestorStatus.ACTIVE, p.kyc_expiry[name])
        for name, (cls, _) in INVESTORS.items()
    }
    fund = TokenModel(
        "fund", p.fund, ALL_CLASSES, 3, approval_required=False, excluded_class2=False
    )
    pro = TokenModel(
        "pro", p.pro, PROFESSIONAL_CLASSES, 0, approval_required=True, excluded_class2=True
    )
    for token, holders in ((fund, FUND_START), (pro, PRO_START)):
        token.balance = {p.investors[name]: value for name, value in holders.items()}
    coin = CoinModel(
        balance={w: YEN_START for w in p.investors.values()},
        system={p.bank, p.admin, p.corporate, p.venue},
        dvp_allowance=set(p.investors.values()),
        minted=YEN_START * len(INVESTORS),
    )
    model = PlatformModel(investors, [fund, pro], coin, p.dvp)
    model.now = now
    return model


class PlatformMachine(RuleBasedStateMachine):
    """Rules are platform operations; one invariant compares the whole state with the model."""

    context: Context

    def __init__(self) -> None:
        super().__init__()
        ctx = self.context
        ctx.restart()  # every example starts from the deployed base state
        self.p = ctx.platform
        self.rpc = ctx.rpc
        self.model = initial_model(self.p, self.rpc.timestamp())
        # An investor's wallet changes with a recovery; its registry id does not.
        self.wallet_of = dict(self.p.investors)
        self.id_of = {name: investor_id_for(w) for name, w in self.p.investors.items()}
        self.spares = list(self.p.spares)
        self.lost: list[str] = []
        self.unrecovered: list[tuple[str, str]] = []  # replaced in the registry, not on tokens
        self.receipts: list[tuple[str, dict[str, Any]]] = []
        self.salt = 0
        self.started = False
        STATS.examples += 1

    # ---------------------------------------------------------------- plumbing

    @property
    def investors(self) -> list[str]:
        return [self.wallet_of[name] for name in INVESTORS]

    def parties(self) -> list[str]:
        """Everyone who may send or receive in a rule: the investors and the unregistered outsider."""
        return [*self.investors, self.p.outsider]

    def universe(self) -> list[str]:
        """Every account the invariants read, the same list all through an example: the eight
        wallets (investors, fresh wallets, outsider), then the five system accounts."""
        return [
            *self.p.investors.values(),
            *self.p.spares,
            self.p.outsider,
            self.p.admin,
            self.p.bank,
            self.p.dvp,
            self.p.venue,
            self.p.corporate,
        ]

    def sender(self, pick: int, free: dict[str, int], pool: list[str] | None = None) -> str:
        """Half the picks are anyone in `pool` (default: every party), the other half someone
        with something free to move (from `free`), so refusals do not crowd out the moves."""
        pool = pool or self.parties()
        if pick < len(pool):
            return pool[pick]
        holders = [a for a in pool if free.get(a, 0) > 0]
        return holders[pick % len(holders)] if holders else pool[pick % len(pool)]

    def free_of(self, token: TokenModel) -> dict[str, int]:
        return {a: token.free(a) for a in self.parties()}

    def token(self, pick: int) -> TokenModel:
        return self.model.tokens[(self.p.fund, self.p.pro)[pick]]

    def enc(self, contract: str, fn: str, *args: Any) -> bytes:
        return self.p.abi[contract][fn].encode(*args)

    def step(self, name: str, expect: Expect | None, sender: str, to: str, data: bytes) -> bool:
        """Runs one operation the model predicted (machine_support.checked_step). True if sent."""
        receipt = checked_step(self.rpc, name, expect, sender, to, data)
        if receipt is not None:
            self.receipts.append((name, receipt))
        return receipt is not None

    def refresh_clock(self) -> None:
        self.model.now = self.rpc.timestamp()

    # ---------------------------------------------------------------- security tokens

    @rule(t=st.integers(0, 1), s=st.integers(0, 11), r=st.integers(0, 5), share=st.integers(0, 120))
    def transfer(self, t: int, s: int, r: int, share: int) -> None:
        self.refresh_clock()
        token = self.token(t)
        sender, to = self.sender(s, self.free_of(token)), self.parties()[r]
        value = 0 if share == 0 else portion(token.free(sender), share)
        expect = self.model.predict_transfer(token, sender, to, value)
        # The token's own ERC-1404 answer must match the model for a direct transfer.
        code = self.p.abi["token"]["detectTransferRestriction"]
        answer = code.decode(self.rpc.batch([(token.address, code.encode(sender, to, value))])[0])
        assert answer == (0 if expect is None else int(expect.code)), (
            f"detectTransferRestriction {answer} vs model {expect}"
        )
        if self.step(
            "transfer", expect, sender, token.address, self.enc("token", "transfer", to, value)
        ):
            self.model.apply_transfer(token, sender, to, value)

    def issue(self, t: int, r: int, value: int) -> None:
        self.refresh_clock()
        token, to = self.token(t), self.parties()[r]
        expect = self.model.predict_issue(token, to, value)
        if self.step(
            "issue", expect, self.p.admin, token.address, self.enc("token", "issue", to, value, b"")
        ):
            self.model.apply_issue(token, to, value)

    def redeem(self, t: int, h: int, share: int) -> None:
        token = self.token(t)
        holder = self.sender(h, self.free_of(token), self.investors)
        value = portion(token.free(holder), share)
        expect = self.model.predict_redeem(token, holder, value)
        if self.step(
            "redeem",
            expect,
            self.p.admin,
            token.address,
            self.enc("token", "redeem", holder, value, b""),
        ):
            self.model.apply_redeem(token, holder, value)

    def freeze_partial(self, t: int, h: int, share: int, freeze: bool) -> None:
        token = self.token(t)
        holder = self.sender(h, self.free_of(token) if freeze else token.frozen, self.investors)
        value = portion(token.free(holder) if freeze else token.frozen.get(holder, 0), share)
        if freeze:
            expect = self.model.predict_freeze(token, holder, value)
            data = self.enc("token", "freezePartialTokens", holder, value)
            if self.step("freeze_partial", expect, self.p.admin, token.address, data):
                self.model.apply_freeze(token, holder, value)
        else:
            expect = self.model.predict_unfreeze(token, holder, value)
            data = self.enc("token", "unfreezePartialTokens", holder, value)
            if self.step("unfreeze_partial", expect, self.p.admin, token.address, data):
                self.model.apply_unfreeze(token, holder, value)

    def set_wallet_frozen(self, t: int, h: int, frozen: bool) -> None:
        token, holder = self.token(t), self.investors[h]
        if self.step(
            "set_wallet_frozen",
            None,
            self.p.admin,
            token.address,
            self.enc("token", "setAddressFrozen", holder, frozen),
        ):
            (token.wallet_frozen.add if frozen else token.wallet_frozen.discard)(holder)

    def pause_token(self, t: int) -> None:
        """Toggles the token's pause."""
        token = self.token(t)
        paused = not token.paused
        if self.step(
            "pause_token",
            None,
            self.p.admin,
            token.address,
            self.enc("token", "pause" if paused else "unpause"),
        ):
            token.paused = paused

    # ---------------------------------------------------------------- agent operations

    def forced_transfer(self, t: int, s: int, r: int, share: int, reason: int) -> None:
        """The agent moves free units first, then frozen ones, whatever the sender's state."""
        self.refresh_clock()
        token = self.token(t)
        held = {a: token.free(a) + token.frozen.get(a, 0) for a in self.parties()}
        sender, to = self.sender(s, held), self._recipient(token, r)
        value = portion(held[sender], share) if share else 0
        if s >= 8 and share:
            # A third of the picks take frozen units: all the free ones and part of the frozen.
            frozen = [a for a in self.investors if token.frozen.get(a, 0)]
            if not frozen:
                self.freeze_partial(t, s, share, True)
                return
            sender = frozen[s % len(frozen)]
            value = token.free(sender) + portion(token.frozen[sender], share)
            to = self._recipient(token, 6 + r, other_than=sender) if r % 3 else sender
        data = self.enc("token", "forcedTransfer", sender, to, value, reason, b"")
        expect = self.model.predict_forced_transfer(token, sender, to, value)
        if self.step("forced_transfer", expect, self.p.admin, token.address, data):
            self.model.apply_forced_transfer(token, sender, to, value)

    def lock_escrow(self, t: int, s: int, share: int, venue: bool = False) -> None:
        """A holder locks units to the escrow lock address (the outsider's wallet) or to the
        venue (its standing authorisation to deliver them in a batch)."""
        self.refresh_clock()
        token = self.token(t)
        account = self.sender(s, self.free_of(token), self.investors)
        value = portion(token.free(account), share)
        lock_address = self.p.venue if venue else self.p.outsider
        data = self.enc("token", "lock", lock_address, value, b"")
        expect = self.model.predict_lock(token, account, value)
        if self.step(
            "lock_venue" if venue else "lock_escrow", expect, account, token.address, data
        ):
            self.model.apply_lock(token, lock_address, account, value)

    def settle_batch(self, t: int, picks: list[tuple[int, int, int, int]]) -> None:
        """The venue's agent settles a batch of trades on one token: sellers with units locked
        at the venue (mostly), buyers mostly ones the token would deliver to; yen netted."""
        self.refresh_clock()
        token = self.token(t)
        at_venue = {a: token.locked.get((self.p.venue, a), 0) for a in self.investors}
        sellers = [a for a, v in at_venue.items() if v]
        if not sellers:
            # Nobody has units at the venue yet: a participant locks some first.
            self.lock_escrow(t, picks[0][0], picks[0][2], venue=True)
            return
        trades = []
        for s, b, share, amount in picks:
            # Mostly a seller with units at the venue; one pick in twelve anyone.
            seller = self.investors[s % 5] if s == 11 else sellers[s % len(sellers)]
            buyer = self._recipient(token, b, other_than=seller)
            if buyer == seller:
                continue
            quantity = portion(at_venue[seller], share)
            trades.append(Trade(seller, buyer, quantity, amount))
            at_venue[seller] = max(0, at_venue[seller] - quantity)
        if not trades:
            return
        participants = sorted(
            {a for tr in trades for a in (tr.seller, tr.buyer)}, key=lambda a: int(a, 16)
        )
        index = {a: i for i, a in enumerate(participants)}
        encoded = [(index[tr.seller], index[tr.buyer], 0, tr.quantity, tr.amount) for tr in trades]
        self.salt += 1
        data = self.enc(
            "venue",
            "settleBatch",
            self.salt.to_bytes(32, "big"),
            participants,
            [token.address],
            encoded,
        )
        expect, new_token, new_coin = self.model.predict_batch(
            token, self.p.venue, participants, trades
        )
        if self.step("settle_batch", expect, self.p.admin, self.p.venue, data):
            self.model.tokens[token.address] = new_token
            self.model.coin = new_coin

    def withdraw_from_venue(self, t: int, s: int, share: int) -> None:
        """A participant takes back units locked at the venue."""
        token = self.token(t)
        at_venue = {a: token.locked.get((self.p.venue, a), 0) for a in self.investors}
        account = self.sender(s, at_venue, self.investors)
        value = portion(at_venue[account], share)
        expect = self.model.predict_unlock(
            token, self.p.venue, account, account, value, Path.APPROVED
        )
        data = self.enc("venue", "withdraw", token.address, value)
        if self.step("venue_withdraw", expect, account, self.p.venue, data):
            self.model.apply_unlock(token, self.p.venue, account, account, value)

    def force_lock(self, t: int, s: int, share: int, to_dvp: bool, with_instruction: bool) -> None:
        """The agent seizes free units into a lock: to the escrow, or to the DvP contract (which
        accepts the units only with an instruction in the data, opened as the holder's)."""
        self.refresh_clock()
        token = self.token(t)
        account = self.sender(s, self.free_of(token), self.investors)
        value = portion(token.free(account), share)
        lock_address = self.p.dvp if to_dvp else self.p.outsider
        buyer, data, ins = None, b"", None
        expiry = self.model.now + DAY + HALF_DAY
        if to_dvp and with_instruction:
            buyer = self.investors[(self.investors.index(account) + 1 + share) % 5]
            self.salt += 1
            ins = Instruction(
                token.address,
                account,
                buyer,
                value,
                10 * share,
                expiry,
                self.salt.to_bytes(32, "big"),
            )
            data = encode(
                ["address", "uint256", "uint40", "bytes32"], [buyer, ins.amount, expiry, ins.salt]
            )
        expect = self.model.predict_force_lock(token, lock_address, account, value, buyer, expiry)
        call = self.enc("token", "forceLock", lock_address, account, value, data)
        if self.step("force_lock", expect, self.p.admin, token.address, call):
            if ins is not None:
                self.model.apply_instruct(_instruction_id(ins), ins)
            else:
                self.model.apply_lock(token, lock_address, account, value)

    def unlock(self, t: int, pick: int, r: int, share: int, forced: bool) -> None:
        """The escrow releases a lock (back to the holder or to anyone, every transfer rule), or
        the agent force-unlocks any lock, the DvP contract's too (a forced transfer to another)."""
        self.refresh_clock()
        token = self.token(t)
        locks = sorted(
            k for k, v in token.locked.items() if v and (forced or k[0] == self.p.outsider)
        )
        if not locks:
            # Nothing to release yet: lock something first (the holder, or the agent by force).
            if forced:
                self.force_lock(t, pick % 12, share, to_dvp=False, with_instruction=False)
            else:
                self.lock_escrow(t, pick % 12, share)
            return
        if pick % 10 == 3:
            # One time in ten a lock that may not exist: another account's, another address's.
            lock_address = self.p.dvp if forced and pick % 20 == 0 else self.p.outsider
            account = self.investors[pick % 5]
        else:
            lock_address, account = locks[pick % len(locks)]
        to = account if r >= 9 else self._recipient(token, r, other_than=account)
        # The whole lock at the top of the range (Hypothesis likes the bounds), above it sometimes.
        value = portion(
            token.locked.get((lock_address, account), 0), share if share <= 110 else 100
        )
        if forced:
            sender, path, name = self.p.admin, Path.FORCED, "force_unlock"
            data = self.enc("token", "forceUnlock", lock_address, account, to, value, b"")
        else:
            sender, path, name = self.p.outsider, Path.TRANSFER, "unlock_escrow"
            data = self.enc("token", "unlock", account, to, value, b"")
        expect = self.model.predict_unlock(token, lock_address, account, to, value, path)
        if self.step(name, expect, sender, token.address, data):
            self.model.apply_unlock(token, lock_address, account, to, value)

    def recover(self, h: int, tokens: bool = True) -> None:
        """A lost wallet: the registrar moves the investor to a fresh wallet, the agent recovers
        the holding on both tokens (refused where the lost wallet holds nothing; with `tokens`
        False later, by recover_pending: around record dates and payments in between), and the
        new wallet authorises the DvP contract on the coin."""
        self.refresh_clock()
        name = list(INVESTORS)[h]
        lost, new = self.wallet_of[name], self.spares.pop()
        data = self.enc("registry", "replaceWallet", self.id_of[name], new)
        assert self.step("replace_wallet", None, self.p.admin, self.p.registry, data)
        self.model.replace_wallet(lost, new)
        self.wallet_of[name] = new
        self.lost.append(lost)
        if tokens:
            self.recover_tokens(lost, new)
        else:
            self.unrecovered.append((lost, new))
        if self.model.coin.paused:
            return
        for spender in (self.p.dvp, self.p.venue):
            data = self.enc("coin", "approve", spender, MAX_UINT)
            assert self.step("approve_yen", None, new, self.p.coin, data)
        self.model.coin.dvp_allowance.add(new)

    def recover_tokens(self, lost: str, new: str) -> None:
        """The agent's recoveryAddress on both tokens. A wallet replaced twice before this is
        not the registry's previous wallet any more: its recovery is refused."""
        for token in self.model.tokens.values():
            expect = self.model.predict_recovery(token, lost, new)
            if self.model.previous.get(new) != lost or self.model.current_wallet(lost) != new:
                expect = Expect("TokenRecoveryNotRegistered")
            data = self.enc("token", "recoveryAddress", lost, new)
            if self.step("recovery", expect, self.p.admin, token.address, data):
                self.model.apply_recovery(token, lost, new)

    def set_rules(self, max_balance: int, min_holding: int, lock_up_days: int) -> None:
        """The issuer changes the fund's maximum balance, minimum holding and lock-up (cap and
        classes stay); a minimum above the maximum is refused."""
        self.refresh_clock()
        fund = self.model.tokens[self.p.fund]
        lock_up = self.model.now + lock_up_days * DAY + HALF_DAY if lock_up_days else 0
        rules = Rules(
            allowed_classes=fund.allowed_classes,
            holder_cap=fund.holder_cap,
            max_balance=max_balance,
            min_holding=min_holding,
            lock_up_until=lock_up,
        )
        expect = self.model.predict_set_rules(min_holding, max_balance)
        data = self.enc("token", "setRules", rules.as_tuple())
        if self.step("set_rules", expect, self.p.admin, fund.address, data):
            fund.max_balance, fund.min_holding, fund.lock_up_until = (
                max_balance,
                min_holding,
                lock_up,
            )

    # ---------------------------------------------------------------- registry

    def set_investor_status(self, h: int, active: bool) -> None:
        name = list(INVESTORS)[h]
        wallet = self.wallet_of[name]
        status = InvestorStatus.ACTIVE if active else InvestorStatus.SUSPENDED
        data = self.enc("registry", "setInvestorStatus", self.id_of[name], int(status))
        if self.step("set_investor_status", None, self.p.admin, self.p.registry, data):
            self.model.investors[wallet].status = status

    def renew_kyc(self, h: int, days: int) -> None:
        self.refresh_clock()
        name = list(INVESTORS)[h]
        investor = self.model.investors[self.wallet_of[name]]
        expiry = self.model.now + days * DAY + HALF_DAY
        data = self.enc("registry", "updateInvestor", self.id_of[name], investor.cls, JAPAN, expiry)
        if self.step("renew_kyc", None, self.p.admin, self.p.registry, data):
            investor.kyc_expiry = expiry

    # ---------------------------------------------------------------- issuer-approved transfers

    @rule(t=st.integers(0, 1), s=st.integers(0, 11), r=st.integers(0, 5), share=SHARES)
    def apply_for_transfer(self, t: int, s: int, r: int, share: int) -> None:
        self.refresh_clock()
        token = self.token(t)
        # An application to oneself is allowed: approving it only releases the pending amount
        # (the fixed finding of tests/unit/token/test_findings_self_movement.py).
        applicant, to = self.sender(s, self.free_of(token)), self.parties()[r]
        value = portion(token.free(applicant), share)
        expect = self.model.predict_apply(token, applicant, to, value)
        if self.step(
            "apply_for_transfer",
            expect,
            applicant,
            token.address,
            self.enc("token", "applyForTransfer", to, value, b""),
        ):
            self.model.apply_apply(token, applicant, to, value)

    def _has_applications(self) -> bool:
        return any(t.applications for t in self.model.tokens.values())

    def _application(self, pick: int) -> tuple[TokenModel, int]:
        entries = [(t, i) for t in self.model.tokens.values() for i in range(len(t.applications))]
        return entries[pick % len(entries)]

    @precondition(_has_applications)
    @rule(
        pick=st.integers(0, 10**6),
        action=st.sampled_from(["approve", "reject", "cancel", "cancel_by_other"]),
    )
    def settle_application(self, pick: int, action: str) -> None:
        self.refresh_clock()
        token, app_id = self._application(pick)
        app = token.applications[app_id]
        # What the decisions pass: the fields as TransferApplied emitted them (no expiry period
        # is set by this machine).
        fields = (app_id, app.applicant, app.to, 0, app.value)
        if action == "approve":
            expect = self.model.predict_approve(token, app_id)
            if self.step(
                "approve_transfer",
                expect,
                self.p.admin,
                token.address,
                self.enc("token", "approveTransfer", fields, b""),
            ):
                self.model.apply_approve(token, app_id)
            return
        if action == "reject":
            caller, sender, fn, status = (
                None,
                self.p.admin,
                "rejectTransfer",
                ApplicationStatus.REJECTED,
            )
        else:
            caller = (
                self.model.holder_of(token, app)
                if action == "cancel"
                else self.wallet_of["C" if app.applicant != self.wallet_of["C"] else "D"]
            )
            sender, fn, status = caller, "cancelTransfer", ApplicationStatus.CANCELLED
        expect = self.model.predict_close_application(token, app_id, caller)
        if self.step(fn, expect, sender, token.address, self.enc("token", fn, fields, b"")):
            self.model.apply_close_application(token, app_id, status)

    # ---------------------------------------------------------------- DvP settlement

    def _recipient(self, token: TokenModel, pick: int, other_than: str | None = None) -> str:
        """Picks below 6 are any party; the rest an investor (not `other_than`) the token would
        deliver a unit to now, where there is one."""
        able = [
            a
            for a in self.investors
            if a != other_than and self.model.restriction(token, ZERO, a, 1, Path.ISSUE) is None
        ]
        return self.parties()[pick % 6] if pick < 6 or not able else able[pick % len(able)]

    @rule(
        t=st.integers(0, 1),
        s=st.integers(0, 9),
        b=st.integers(0, 11),
        share=SHARES,
        amount=st.integers(1, 1_500_000),
        days=st.integers(1, 3),
    )
    def instruct(self, t: int, s: int, b: int, share: int, amount: int, days: int) -> None:
        """The seller's lock to the DvP contract carries the instruction."""
        self.refresh_clock()
        token = self.token(t)
        seller = self.sender(s, self.free_of(token), self.investors)
        # Half the buyers are anyone, half an investor the token would deliver to now.
        buyer = self._recipient(token, b, other_than=seller)
        quantity = portion(token.free(seller), share)
        expiry = self.model.now + days * DAY + HALF_DAY
        self.salt += 1
        salt = self.salt.to_bytes(32, "big")
        data = encode(["address", "uint256", "uint40", "bytes32"], [buyer, amount, expiry, salt])
        expect = self.model.predict_instruct(token, seller, buyer, quantity, expiry)
        if self.step(
            "instruct",
            expect,
            seller,
            token.address,
            self.enc("token", "lock", self.p.dvp, quantity, data),
        ):
            ins = Instruction(token.address, seller, buyer, quantity, amount, expiry, salt)
            self.model.apply_instruct(_instruction_id(ins), ins)

    def _has_instructions(self) -> bool:
        return bool(self.model.instructions)

    @precondition(_has_instructions)
    @rule(
        pick=st.integers(0, 10**6),
        op=st.integers(0, 9),
    )
    def settle_instruction_rule(self, pick: int, op: int) -> None:
        """Mostly the buyer's acceptance (after the issuer's approval where needed); else an
        approval alone, the seller's cancel, the issuer's rejection or a release after expiry."""
        self.settle_instruction(pick, SETTLEMENT_ACTIONS[op])

    def settle_instruction(self, pick: int, action: str) -> None:
        self.refresh_clock()
        ids = sorted(self.model.instructions)
        ins_id = ids[pick % len(ids)]
        ins = self.model.instructions[ins_id]
        if action == "approve_and_accept":
            # The issuer's approval where the token needs it, then the buyer's acceptance.
            if ins.approved or not self.model.tokens[ins.token].settlement_approval_required():
                action = "accept"
            else:
                self.settle_instruction(pick, "approve")
                if not ins.approved:
                    return
                action = "accept"
        data = self.enc("dvp", action, ins.as_tuple())
        if action == "accept":
            # The named buyer, or (one time in two) its investor's current wallet: the
            # instruction follows the investor; the seller's side is where its lock is.
            buyer = ins.buyer if pick % 2 else self.model.current_wallet(ins.buyer)
            seller = self.model.accept_seller(ins)
            before = self._legs(ins.token, seller, buyer)
            expect = self.model.predict_accept(ins, buyer)
            if self.step("dvp_accept", expect, buyer, self.p.dvp, data):
                self._check_both_legs(ins, seller, buyer, before, self.receipts[-1][1])
                self.model.apply_accept(ins_id, buyer)
            else:
                after = self._legs(ins.token, seller, buyer)
                assert after == before, "a refused settlement moved a leg"
        elif action == "approve":
            if self.step(
                "dvp_approve",
                self.model.predict_settlement_approve(ins),
                self.p.admin,
                self.p.dvp,
                data,
            ):
                ins.approved = True
        elif action in ("cancel", "reject"):
            expect = None
            sender = self.p.admin
            if action == "cancel":  # the seller's current wallet, or (one time in two) its lost key
                current = self.model.current_wallet(ins.seller)
                sender = ins.seller if pick % 2 else current
                expect = self.model.predict_close_by_party(ins, sender, ins.seller)
            if self.step(f"dvp_{action}", expect, sender, self.p.dvp, data):
                self.model.apply_close_instruction(ins_id)
        else:
            if self.step(
                "dvp_release", self.model.predict_release(ins), self.p.outsider, self.p.dvp, data
            ):
                self.model.apply_close_instruction(ins_id)

    def _legs(self, token: str, seller: str, buyer: str) -> tuple[int, ...]:
        bal_t, bal_c = self.p.abi["token"]["balanceOf"], self.p.abi["coin"]["balanceOf"]
        raw = self.rpc.batch(
            [
                (token, bal_t.encode(seller)),
                (token, bal_t.encode(buyer)),
                (self.p.coin, bal_c.encode(seller)),
                (self.p.coin, bal_c.encode(buyer)),
            ]
        )
        return tuple(bal_t.decode(r) for r in raw)

    def _check_both_legs(
        self,
        ins: Instruction,
        seller: str,
        buyer: str,
        before: tuple[int, ...],
        receipt: dict[str, Any],
    ) -> None:
        """A settled instruction moved exactly the quantity one way and the amount the other,
        between the wallets of the instruction's investors that the model expected."""
        after = self._legs(ins.token, seller, buyer)
        expected = (
            before[0] - ins.quantity,
            before[1] + ins.quantity,
            before[2] + ins.amount,
            before[3] - ins.amount,
        )
        assert after == expected, (
            f"settlement legs: before {before}, after {after}, expected {expected}"
        )
        moves = {
            (
                log["address"].lower(),
                _topic_address(log["topics"][1]),
                _topic_address(log["topics"][2]),
            )
            for log in receipt["logs"]
            if log["topics"][0] == TRANSFER_TOPIC
        }
        assert (ins.token.lower(), seller, buyer) in moves and (
            self.p.coin.lower(),
            buyer,
            seller,
        ) in moves
        assert seller not in self.lost, f"a settlement paid the lost wallet {seller}"

    # ---------------------------------------------------------------- yen coin

    def mint_yen(self, r: int, amount: int) -> None:
        self.refresh_clock()
        to = [*self.parties(), self.p.bank, self.p.admin][r]
        expect = self.model.predict_mint(self.p.bank, to, amount)
        if self.step(
            "mint_yen", expect, self.p.bank, self.p.coin, self.enc("coin", "mint", to, amount)
        ):
            self.model.apply_mint(to, amount)

    def burn_yen(self, h: int, share: int) -> None:
        """The bank burns its own coins (h == 5) or an investor redeems coins for bank yen."""
        self.refresh_clock()
        amount = portion(
            self.model.coin.balance.get(self.p.bank if h == 5 else self.investors[h], 0), share
        )
        if h == 5:
            holder, data, name = self.p.bank, self.enc("coin", "burn", amount), "burn_yen"
        else:
            holder, data, name = (
                self.investors[h],
                self.enc("coin", "redeem", amount, b"\x01" * 32),
                "redeem_yen",
            )
        if self.step(name, self.model.predict_burn(holder, amount), holder, self.p.coin, data):
            self.model.apply_burn(holder, amount)

    def transfer_yen(self, s: int, r: int, share: int) -> None:
        self.refresh_clock()
        sender, to = self.sender(s, self.model.coin.balance), self.parties()[r]
        amount = portion(self.model.coin.balance.get(sender, 0), share)
        expect = self.model.predict_coin_transfer(sender, to, amount)
        if self.step(
            "transfer_yen", expect, sender, self.p.coin, self.enc("coin", "transfer", to, amount)
        ):
            self.model.apply_coin_transfer(sender, to, amount)

    def freeze_yen(self, h: int, again: int) -> None:
        """Toggles a holder's coin freeze; one time in ten asks for the state it is already in."""
        holder = self.investors[h]
        freeze = (holder in self.model.coin.frozen) == (again == 0)
        expect = self.model.predict_coin_freeze(holder, freeze)
        if self.step(
            "freeze_yen",
            expect,
            self.p.admin,
            self.p.coin,
            self.enc("coin", "freeze" if freeze else "unfreeze", holder),
        ):
            (self.model.coin.frozen.add if freeze else self.model.coin.frozen.discard)(holder)

    def pause_yen(self, again: int) -> None:
        """Toggles the coin's pause; one time in ten asks for the state it is already in (refused)."""
        paused = self.model.coin.paused if again == 0 else not self.model.coin.paused
        expect = self.model.predict_coin_pause(paused)
        if self.step(
            "pause_yen",
            expect,
            self.p.admin,
            self.p.coin,
            self.enc("coin", "pause" if paused else "unpause"),
        ):
            self.model.coin.paused = paused

    # ---------------------------------------------------------------- time, record dates, distributions

    def schedule_record_date(self, t: int, days: int) -> None:
        self.refresh_clock()
        token = self.token(t)
        base = max([self.model.now, *token.record_dates])
        date = base + days * DAY + (HALF_DAY if base == self.model.now else 0)
        if self.step(
            "schedule_record_date",
            None,
            self.p.admin,
            token.address,
            self.enc("token", "scheduleRecordDate", date),
        ):
            token.record_dates.append(date)

    def _time_matters(self) -> bool:
        """Something waits for the clock: a record date, an instruction's expiry, a KYC within a month."""
        m = self.model
        return (
            any(date > m.now for t in m.tokens.values() for date in t.record_dates)
            or bool(m.instructions)
            or any(m.now < i.kyc_expiry < m.now + 30 * DAY for i in m.investors.values())
            or any(t.lock_up_until > m.now for t in m.tokens.values())
        )

    def advance_time(self, days: int) -> None:
        STATS.count_rule("advance_time")
        self.rpc.advance(days * DAY)
        self.model.pass_time(self.rpc.timestamp())

    def _undeclared_record_date(self) -> tuple[TokenModel, int] | None:
        declared = {(p.token, p.record_index) for p in self.model.payments.values() if not p.call}
        fund = self.model.tokens[self.p.fund]
        for index in sorted(fund.snapshots):
            if (fund.address, index) not in declared:
                return fund, index
        return None

    @precondition(
        lambda self: self._undeclared_record_date() is not None and not self.model.coin.paused
    )
    @rule()
    def declare_distribution(self) -> None:
        """The issuer declares and funds a distribution on the fund's first undeclared passed record date."""
        self.refresh_clock()
        token, index = self._undeclared_record_date()
        payment_date = token.record_dates[index] + 1
        data = self.enc(
            "corporate",
            "declareDistribution",
            token.address,
            index,
            DISTRIBUTION_PER_UNIT,
            payment_date,
            payment_date + 400 * DAY,
        )
        assert self.step("declare_distribution", None, self.p.admin, self.p.corporate, data)
        payment = Payment(len(self.model.payments) + 1, token.address, index, DISTRIBUTION_PER_UNIT)
        self.model.payments[payment.id] = payment
        self._fund_payment(payment)

    @precondition(lambda self: any(p.funded for p in self.model.payments.values()))
    @rule(pick=st.integers(0, 10**6), holders=st.lists(st.integers(0, 5), min_size=1, max_size=4))
    def pay_batch(self, pick: int, holders: list[int]) -> None:
        self.refresh_clock()
        funded = [p for p in self.model.payments.values() if p.funded]
        payment = funded[pick % len(funded)]
        pool = self.parties() + self.lost  # a replaced wallet's entitlement goes to the new one
        wallets = [pool[h % len(pool)] for h in holders]
        data = self.enc("corporate", "payBatch", payment.id, wallets)
        expect = self.model.predict_pay(payment, wallets)
        if self.step("pay_batch", expect, self.p.admin, self.p.corporate, data):
            for wallet in wallets:
                self.model.pay(payment, wallet, self.p.corporate)

    def _funded(self, pick: int) -> Payment | None:
        funded = [p for p in self.model.payments.values() if p.funded]
        return funded[pick % len(funded)] if funded else None

    def claim(self, pick: int, h: int) -> None:
        """A holder claims: its investor's current wallet (and its latest lost wallet's
        entitlement with it), or a lost key, which is refused."""
        self.refresh_clock()
        payment = self._funded(pick)
        if payment is None:
            return
        pool = self.parties() + self.lost
        caller = pool[h % len(pool)]
        data = self.enc("corporate", "claim", payment.id)
        expect = self.model.predict_claim(payment, caller)
        if self.step("claim", expect, caller, self.p.corporate, data):
            self.model.apply_claim(payment, caller, self.p.corporate)

    def release_held(self, pick: int, h: int) -> None:
        """Anyone releases a held payment: to the holder's investor's current wallet."""
        self.refresh_clock()
        payment = self._funded(pick)
        if payment is None:
            return
        held = [w for w, state in payment.entries.items() if state == "held"]
        pool = self.parties() + self.lost
        holder = held[h % len(held)] if held and h < 7 else pool[h % len(pool)]
        data = self.enc("corporate", "releaseHeld", payment.id, holder)
        expect = self.model.predict_release_held(payment, holder)
        if self.step("release_held", expect, self.p.outsider, self.p.corporate, data):
            self.model.apply_release_held(payment, holder, self.p.corporate)

    def declare_call(self) -> None:
        """The agent calls half of every fund holding at CALL_PRICE a unit, payable now, and
        funds it (a call settles each holder once: units burned, yen to the current wallet)."""
        self.refresh_clock()
        if self.model.coin.paused:
            return
        token = self.model.tokens[self.p.fund]
        now = self.rpc.timestamp()
        data = self.enc(
            "corporate", "declareCall", token.address, 1, 2, CALL_PRICE, now, now + 400 * DAY
        )
        assert self.step("declare_call", None, self.p.admin, self.p.corporate, data)
        payment = Payment(len(self.model.payments) + 1, token.address, 0, CALL_PRICE, call=True)
        self.model.payments[payment.id] = payment
        self._fund_payment(payment)

    def _fund_payment(self, payment: Payment) -> None:
        needed = self.model.required_funding(payment) - payment.funded
        if needed <= 0:
            return
        if needed > self.model.coin.balance.get(self.p.admin, 0):
            data = self.enc("coin", "mint", self.p.admin, needed)
            assert self.step("mint_yen", None, self.p.bank, self.p.coin, data)
            self.model.apply_mint(self.p.admin, needed)
        data = self.enc("corporate", "fund", payment.id)
        assert self.step("fund_payment", None, self.p.admin, self.p.corporate, data)
        self.model.apply_coin_transfer(self.p.admin, self.p.corporate, needed)
        payment.funded += needed

    @rule(op=st.sampled_from(PAYMENT_ACTIONS), pick=st.integers(0, 10**6), h=st.integers(0, 9))
    def payments(self, op: str, pick: int, h: int) -> None:
        """Claims by current and replaced wallets, releases of held payments, call redemptions."""
        if op == "claim":
            self.claim(pick, h)
        elif op == "release":
            self.release_held(pick, h)
        else:
            self.declare_call()

    @rule(op=st.sampled_from(FOREIGN_ACTIONS), s=st.integers(0, 5), amount=st.integers(1, 10**6))
    def foreign(self, op: str, s: int, amount: int) -> None:
        """An attacker's token contract tries each settlement and payment entry point with a
        real investor's name: every one refuses it (checked with eth_call; nothing may move)."""
        self.refresh_clock()
        victim, now = self.investors[s % len(self.investors)], self.rpc.timestamp()
        targets = ForeignTargets(
            self.p.foreign,
            self.p.outsider,
            self.p.admin,
            self.p.coin,
            self.p.dvp,
            self.p.venue,
            self.p.corporate,
            self.p.offering,
            self.p.abi,
        )
        for name, expect, sender, to, data in foreign_attempts(targets, op, victim, amount, now):
            self.step(name, expect, sender, to, data)

    # ---------------------------------------------------------------- grouped rules
    # Fewer, grouped rules: Hypothesis picks among rules, so grouping the many small operations
    # leaves the multi-step flows (applications, settlement, distributions) their fair share.

    @rule(
        op=st.sampled_from(["issue", "redeem"]),
        t=st.integers(0, 1),
        h=st.integers(0, 9),
        share=SHARES,
    )
    def issue_or_redeem(self, op: str, t: int, h: int, share: int) -> None:
        if op == "issue":
            self.issue(t, h % 6, min(share, 60))
        else:
            self.redeem(t, h, share)

    @rule(
        op=st.sampled_from(["freeze_partial", "wallet_frozen", "pause_token"]),
        t=st.integers(0, 1),
        h=st.integers(0, 9),
        share=SHARES,
        flag=st.booleans(),
    )
    def compliance(self, op: str, t: int, h: int, share: int, flag: bool) -> None:
        if op == "freeze_partial":
            self.freeze_partial(t, h, share, flag)
        elif op == "wallet_frozen":
            self.set_wallet_frozen(t, h % 5, flag)
        else:
            self.pause_token(t)

    @rule(
        op=st.sampled_from(AGENT_ACTIONS),
        t=st.integers(0, 1),
        s=st.integers(0, 11),
        r=st.integers(0, 11),
        share=SHARES,
        flag=st.booleans(),
    )
    def agent(self, op: str, t: int, s: int, r: int, share: int, flag: bool) -> None:
        """Forced transfers, locks (holder to the escrow, agent to the escrow or the DvP
        contract), releases, lost-wallet recovery (while fresh wallets last), the fund's rules."""
        if op == "forced_transfer":
            self.forced_transfer(t, s, r, share if s != 6 else 0, share % 4)
        elif op == "lock_escrow":
            self.lock_escrow(t, s, share)
        elif op == "force_lock":
            self.force_lock(t, s, share, to_dvp=flag or s % 3 == 0, with_instruction=s % 4 != 0)
        elif op in ("unlock_escrow", "force_unlock"):
            self.unlock(t, s * 121 + share, r, share, forced=op == "force_unlock")
        elif op in ("recover", "replace") and self.spares:
            self.recover(s % 5, tokens=op == "recover")
        elif op == "recover_pending" and self.unrecovered:
            self.refresh_clock()
            self.recover_tokens(*self.unrecovered.pop(0))
        else:
            self.set_rules(
                max_balance=(0, 0, 120, 200)[s % 4],
                min_holding=(0, 5, 300, 15)[r % 4] if flag else 0,
                lock_up_days=share % 3 if share % 2 else 0,
            )

    @rule(
        op=st.sampled_from(["lock", "lock", "withdraw", "batch", "batch", "batch"]),
        t=st.integers(0, 1),
        s=st.integers(0, 11),
        share=SHARES,
        trades=st.lists(
            st.tuples(
                st.integers(0, 11), st.integers(0, 11), st.integers(1, 110), st.integers(1, 400_000)
            ),
            min_size=1,
            max_size=3,
        ),
    )
    def venue(
        self, op: str, t: int, s: int, share: int, trades: list[tuple[int, int, int, int]]
    ) -> None:
        """Venue (PTS) batch settlement: standing locks to the venue, batches, withdrawals."""
        if op == "lock":
            self.lock_escrow(t, s, share, venue=True)
        elif op == "withdraw":
            self.withdraw_from_venue(t, s, share)
        else:
            self.settle_batch(t, trades)

    @rule(
        op=st.sampled_from(["status", "renew"]),
        h=st.integers(0, 4),
        active=st.booleans(),
        days=st.integers(1, 30),
    )
    def registrar(self, op: str, h: int, active: bool, days: int) -> None:
        if op == "status":
            self.set_investor_status(h, active)
        else:
            self.renew_kyc(h, days)

    @rule(
        op=st.sampled_from(["mint", "burn", "transfer", "freeze", "pause"]),
        s=st.integers(0, 11),
        r=st.integers(0, 7),
        share=SHARES,
        again=st.integers(0, 9),
    )
    def yen(self, op: str, s: int, r: int, share: int, again: int) -> None:
        if op == "mint":
            self.mint_yen(r, share * 10_000)
        elif op == "burn":
            self.burn_yen(s % 6, share)
        elif op == "transfer":
            self.transfer_yen(s, r % 6, share)
        elif op == "freeze":
            self.freeze_yen(s % 5, again)
        else:
            self.pause_yen(again)

    @rule(op=st.integers(0, 2), t=st.integers(0, 1), days=st.integers(1, 4))
    def clock(self, op: int, t: int, days: int) -> None:
        """A record date one time in three, else the clock moves (when something waits for it)."""
        if op == 2 or not self._time_matters():
            self.schedule_record_date(t, min(days, 3))
        else:
            self.advance_time(days)

    # ---------------------------------------------------------------- the invariants

    @invariant()
    def chain_matches_model(self) -> None:
        """Every invariant of docs/assurance.md "Properties", on the whole state, after every step."""
        STATS.steps += self.started  # the first check is of the base state, not after a step
        self.started = True
        m, p, tok, coin = self.model, self.p, self.p.abi["token"], self.p.abi["coin"]
        accounts = self.universe()
        wallets, system = accounts[:8], accounts[8:]
        calls: list[tuple[str, bytes]] = []
        for token in m.tokens.values():
            calls.append((token.address, tok["totalSupply"].encode()))
            calls.append((token.address, tok["holderCount"].encode()))
            # The system accounts hold no security (their balance is read; the model has none);
            # every wallet is read in full.
            calls += [(token.address, tok["balanceOf"].encode(a)) for a in system]
            for a in wallets:
                calls += [
                    (token.address, tok["balanceOf"].encode(a)),
                    (token.address, tok["freeBalanceOf"].encode(a)),
                    (token.address, tok["frozenTokensOf"].encode(a)),
                    (token.address, tok["pendingOf"].encode(a)),
                    (token.address, tok["totalLockedOf"].encode(a)),
                    (token.address, tok["lockedOf"].encode(p.dvp, a)),
                    (token.address, tok["lockedOf"].encode(p.outsider, a)),
                    (token.address, tok["lockedOf"].encode(p.venue, a)),
                ]
            for index in sorted(token.snapshots):
                calls.append((token.address, tok["totalSupplyAtRecordDate"].encode(index)))
                calls += [
                    (token.address, tok["balanceOfAtRecordDate"].encode(a, index)) for a in wallets
                ]
        calls.append((p.coin, coin["totalSupply"].encode()))
        calls += [(p.coin, coin["balanceOf"].encode(a)) for a in accounts]
        statuses = sorted(m.instructions)
        calls += [(p.dvp, p.abi["dvp"]["statusOf"].encode(i)) for i in statuses]
        payments = sorted(m.payments)
        entitled = self.parties() + self.lost
        for pid in payments:
            calls += [
                (p.corporate, p.abi["corporate"]["entitlementOf"].encode(pid, a)) for a in entitled
            ]
        values = iter(self.rpc.batch(calls))

        def next_uint() -> int:
            return int.from_bytes(next(values)[:32], "big")

        for token in m.tokens.values():
            supply, holders = next_uint(), next_uint()
            # 1. Supply = everything the holders own, each unit counted once.
            assert supply == token.total_supply(), (
                f"{token.name}: totalSupply {supply} != model {token.total_supply()}"
            )
            assert holders == token.holder_count(), (
                f"{token.name}: holderCount {holders} != model {token.holder_count()}"
            )
            owned = 0
            for a in system:
                assert next_uint() == token.balance.get(a, 0) == 0, f"{token.name}: {a} holds units"
            for a in wallets:
                balance, free, frozen, pending, locked, at_dvp, at_escrow, at_venue = (
                    next_uint() for _ in range(8)
                )
                owned += balance
                assert free + frozen + pending + locked == balance, (
                    f"{token.name} {a}: parts do not add up"
                )
                got = (balance, free, frozen, pending, locked, at_dvp, at_escrow, at_venue)
                want = (
                    token.balance.get(a, 0),
                    token.free(a),
                    token.frozen.get(a, 0),
                    token.pending.get(a, 0),
                    token.total_locked(a),
                    token.locked.get((p.dvp, a), 0),
                    token.locked.get((p.outsider, a), 0),
                    token.locked.get((p.venue, a), 0),
                )
                assert got == want, (
                    f"{token.name} {a}: chain (balance, free, frozen, pending, locked, dvp, escrow, venue) {got} != model {want}"
                )
            assert owned == supply, f"{token.name}: holders own {owned}, supply {supply}"
            # 5. Record-date balances are the balances when the date passed.
            for index in sorted(token.snapshots):
                balances, snap_supply = token.snapshots[index]
                assert next_uint() == snap_supply, f"{token.name}: totalSupplyAtRecordDate({index})"
                for a in wallets:
                    got_at = next_uint()
                    assert got_at == balances.get(a, 0), (
                        f"{token.name} {a}: balanceOfAtRecordDate({index}) {got_at} != {balances.get(a, 0)}"
                    )
        # 4. The yen supply moves by mint and burn only, and is what the accounts hold.
        yen_supply = next_uint()
        yen = [next_uint() for _ in accounts]
        assert yen_supply == m.coin.supply() == sum(yen), (
            f"yen supply {yen_supply}, model {m.coin.supply()}, held {sum(yen)}"
        )
        for a, got in zip(accounts, yen, strict=True):
            assert got == m.coin.balance.get(a, 0), (
                f"yen {a}: chain {got} != model {m.coin.balance.get(a, 0)}"
            )
        # 6. The settlement contract holds nothing of its own; its locks are its open instructions.
        for ins_id in statuses:
            status = next_uint()
            assert status == (2 if m.instructions[ins_id].approved else 1), (
                f"instruction {ins_id.hex()}: status {status}"
            )
        # Its locks are at most what open instructions will deliver or return: less after an
        # agent's forced unlock; more only by what a recovery carried to a new wallet (no
        # instruction names that wallet; the agent returns it with forceUnlock).
        for token in m.tokens.values():
            assert token.balance.get(p.dvp, 0) == 0
            for seller in accounts:
                open_qty = sum(
                    i.quantity
                    for i in m.instructions.values()
                    if i.token == token.address and i.seller == seller
                )
                at_dvp = token.locked.get((p.dvp, seller), 0)
                assert at_dvp <= open_qty + token.recovered_dvp_lock.get(seller, 0), (
                    f"{token.name} {seller}: {at_dvp} locked to DvP, open instructions {open_qty}"
                )
        assert m.coin.balance.get(p.dvp, 0) == 0
        assert m.coin.balance.get(p.venue, 0) == 0, "the venue kept yen after a batch"
        for token in m.tokens.values():
            assert token.balance.get(p.venue, 0) == 0
        # 5b. Corporate-actions entitlements equal the record-date balances (unpaid holders).
        for pid in payments:
            for a in entitled:
                units = next_uint()
                # entitlementOf returns (units, gross, tax, net); only units is the first word.
                assert units == m.entitlement_units(m.payments[pid], a), (
                    f"payment {pid} {a}: entitlement {units}"
                )
        corporate_due = sum(pm.funded - pm.paid for pm in m.payments.values())
        assert m.coin.balance.get(p.corporate, 0) == corporate_due
        # 2. No wallet ineligible at the time of receipt received anything; 3. settlement legs.
        self._check_receipts()

    def _check_receipts(self) -> None:
        """Every Transfer in this step's transactions, checked against the chain just before it
        (the parent block: anvil mines one transaction a block; a recovery itself moves the
        wallet freeze to the recipient, so the state after it would not do):
        a security-token recipient was eligible and unfrozen; a yen recipient was eligible, a
        system account, unfrozen; yen was created or destroyed only by mint and burn; a Settled
        event came with both legs. And (issue 14) yen left a wallet only by that wallet's own
        transaction or the venue's batch pull (its standing authorisation), and money paid for
        an investor reached only its current wallet, never a lost one."""
        p, reg, tok, coin = self.p, self.p.abi["registry"], self.p.abi["token"], self.p.abi["coin"]
        system = {p.admin, p.bank, p.dvp, p.venue, p.corporate, ZERO}
        for name, receipt in self.receipts:
            sent_by = to_checksum_address(receipt["from"])
            for log in receipt["logs"]:
                if (
                    log["topics"][0] != TRANSFER_TOPIC
                    or to_checksum_address(log["address"]) != p.coin
                ):
                    continue
                sender, to = _topic_address(log["topics"][1]), _topic_address(log["topics"][2])
                if sender not in system:
                    assert sender == sent_by or to == p.venue, (
                        f"{name}: yen left {sender} in a transaction of {sent_by}"
                    )
                if sender == p.corporate:
                    assert to not in self.lost, f"{name}: a payment reached the lost wallet {to}"
        for name, receipt in self.receipts:
            block = hex(int(receipt["blockNumber"], 16) - 1)
            calls: list[tuple[str, bytes]] = []
            checks: list[tuple[str, str]] = []
            settled = any(log["topics"][0] == SETTLED_TOPIC for log in receipt["logs"])
            legs = set()
            for log in receipt["logs"]:
                if log["topics"][0] != TRANSFER_TOPIC:
                    continue
                source = to_checksum_address(log["address"])
                sender, to = _topic_address(log["topics"][1]), _topic_address(log["topics"][2])
                legs.add(source)
                if source == p.coin and (sender == ZERO or to == ZERO):
                    assert name in ("mint_yen", "burn_yen", "redeem_yen"), (
                        f"{name} changed the yen supply"
                    )
                if to == ZERO:
                    continue
                if source in (p.fund, p.pro):
                    calls += [
                        (p.registry, reg["isEligible"].encode(to)),
                        (source, tok["isFrozen"].encode(to)),
                    ]
                    checks.append(("token", to))
                elif source == p.coin:
                    calls += [
                        (p.registry, reg["isEligible"].encode(to)),
                        (p.coin, coin["isFrozen"].encode(to)),
                        (p.coin, coin["isSystemAccount"].encode(to)),
                    ]
                    checks.append(("coin", to))
            if settled:
                assert len(legs) == 2 and p.coin in legs, f"{name}: Settled without both legs"
            answers = iter(self.rpc.batch(calls, block=block))
            for kind, to in checks:
                eligible, frozen = (
                    bool(int.from_bytes(next(answers)[:32], "big")) for _ in range(2)
                )
                if kind == "token":
                    assert eligible and not frozen, (
                        f"{name}: {to} received a security while ineligible or frozen"
                    )
                else:
                    system = bool(int.from_bytes(next(answers)[:32], "big"))
                    assert (eligible or system) and not frozen, (
                        f"{name}: {to} received yen while ineligible or frozen"
                    )
        self.receipts.clear()


def _instruction_id(ins: Instruction) -> bytes:
    """DvPSettlement's instruction id: keccak256(abi.encode(instruction))."""
    return keccak(
        encode(["(address,address,address,uint256,uint256,uint40,bytes32)"], [ins.as_tuple()])
    )


def _topic_address(topic: str) -> str:
    return to_checksum_address("0x" + topic[-40:])


def test_platform_state_machine(platform: Platform, rpc: Rpc) -> None:
    """The platform against its model, KABUTO_PBT_EXAMPLES examples of KABUTO_PBT_STEPS steps."""
    PlatformMachine.context = Context(platform, rpc)
    run_machine(PlatformMachine, rpc, EXAMPLES, STEPS)
