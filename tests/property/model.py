"""A plain Python model of the platform the property test drives: what should happen.

It knows the investor registry, two security tokens (balances split into free, frozen, pending
and locked; holder count; applications; record-date snapshots), the yen coin (balances, frozen
accounts, minted and burned totals), the bilateral DvP settlement (open instructions) and the
corporate-actions payments. Every operation first *predicts* its outcome: `None` for success or
the `Expect`ed refusal (the custom error and, for token rules, the ERC-1404 code). The test checks
the chain agrees, then `apply_*` updates the model. Rules mirror the contracts' documented order of
checks (TokenCore._restriction, YenCoin._update, DvPSettlement), not their code.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from enum import Enum

from kabuto.onchain_types import ApplicationStatus, InvestorStatus, Restriction

ZERO = "0x" + "00" * 20


@dataclass(frozen=True)
class Expect:
    """A predicted refusal: the custom error's name and, for TransferRestricted, its code."""

    error: str
    code: Restriction | None = None

    @staticmethod
    def rule(code: Restriction) -> Expect:
        return Expect("TransferRestricted", code)


class Path(Enum):
    """How a balance change comes about (TokenCore.Path): decides which rules apply."""

    TRANSFER = 0
    APPROVED = 1
    ISSUE = 2
    REDEEM = 3
    FORCED = 4
    RECOVERY = 5


@dataclass
class Investor:
    cls: int
    status: InvestorStatus
    kyc_expiry: int

    def eligible(self, now: int) -> bool:
        """IInvestorRegistry.isEligible: active and KYC not expired."""
        return self.status == InvestorStatus.ACTIVE and now <= self.kyc_expiry


@dataclass
class Application:
    applicant: str
    to: str
    value: int
    status: ApplicationStatus = ApplicationStatus.PENDING


@dataclass
class TokenModel:
    """One security token. `locked` is keyed by (lock address, account)."""

    name: str
    address: str
    allowed_classes: int
    holder_cap: int
    approval_required: bool
    excluded_class2: bool
    max_balance: int = 0
    min_holding: int = 0
    lock_up_until: int = 0
    balance: dict[str, int] = field(default_factory=dict)
    frozen: dict[str, int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    locked: dict[tuple[str, str], int] = field(default_factory=dict)
    wallet_frozen: set[str] = field(default_factory=set)
    paused: bool = False
    redeemed: bool = False
    applications: list[Application] = field(default_factory=list)
    # lost wallet -> the wallet a recovery moved its holding to
    recovered_to: dict[str, str] = field(default_factory=dict)
    # settlement-lock units a recovery carried to a new wallet: no instruction owns them
    recovered_dvp_lock: dict[str, int] = field(default_factory=dict)
    record_dates: list[int] = field(default_factory=list)
    # record index -> (balances at the end of the record date, total supply then)
    snapshots: dict[int, tuple[dict[str, int], int]] = field(default_factory=dict)

    # ---- derived quantities ----
    def total_supply(self) -> int:
        return sum(self.balance.values())

    def holder_count(self) -> int:
        return sum(1 for v in self.balance.values() if v > 0)

    def total_locked(self, account: str) -> int:
        return sum(v for (_, acc), v in self.locked.items() if acc == account)

    def encumbered(self, account: str) -> int:
        return (
            self.frozen.get(account, 0) + self.pending.get(account, 0) + self.total_locked(account)
        )

    def free(self, account: str) -> int:
        return self.balance.get(account, 0) - self.encumbered(account)

    def settlement_approval_required(self) -> bool:
        """The token's approvalRequired(): excluded Class 2, or approval on in the rules."""
        return self.excluded_class2 or self.approval_required


@dataclass
class Instruction:
    """A DvP instruction the model believes open (or approved)."""

    token: str
    seller: str
    buyer: str
    quantity: int
    amount: int
    expiry: int
    salt: bytes
    approved: bool = False

    def as_tuple(self) -> tuple[str, str, str, int, int, int, bytes]:
        return (
            self.token,
            self.seller,
            self.buyer,
            self.quantity,
            self.amount,
            self.expiry,
            self.salt,
        )


@dataclass(frozen=True)
class Trade:
    """One trade of a venue batch: the seller's locked units for the buyer's yen."""

    seller: str
    buyer: str
    quantity: int
    amount: int


@dataclass
class Payment:
    """A declared corporate-actions payment of a token: a distribution on a record date, or a
    call redemption of half of every holding (`call`: units burned, paid at the price)."""

    id: int
    token: str
    record_index: int
    amount_per_unit: int
    funded: int = 0
    paid: int = 0
    held: int = 0
    # holder -> "paid" | "held"; absent: unpaid
    entries: dict[str, str] = field(default_factory=dict)
    held_net: dict[str, int] = field(default_factory=dict)
    call: bool = False


@dataclass
class CoinModel:
    balance: dict[str, int] = field(default_factory=dict)
    frozen: set[str] = field(default_factory=set)
    system: set[str] = field(default_factory=set)
    # owners that gave both settlement contracts (DvP, the venue) an unlimited allowance
    dvp_allowance: set[str] = field(default_factory=set)
    paused: bool = False
    minted: int = 0
    burned: int = 0

    def supply(self) -> int:
        return self.minted - self.burned


class PlatformModel:
    """Registry, tokens, coin, settlement and payments: the expected state and the rules."""

    def __init__(
        self, investors: dict[str, Investor], tokens: list[TokenModel], coin: CoinModel, dvp: str
    ) -> None:
        self.investors = investors
        self.tokens = {t.address: t for t in tokens}
        self.coin = coin
        self.dvp = dvp
        self.instructions: dict[bytes, Instruction] = {}
        self.payments: dict[int, Payment] = {}
        self.now = 0
        # Wallet replacement: every lost wallet -> its investor's current wallet; each current
        # wallet -> the wallet its latest replacement retired (the registry's previousWalletOf).
        self.current: dict[str, str] = {}
        self.previous: dict[str, str] = {}
        # Yen CorporateActions sent, as (recipient, holder): the invariant checks recipients.
        self.payouts: list[tuple[str, str]] = []

    # ---------------------------------------------------------------- registry

    def _party(self, account: str, sender: bool, token: TokenModel) -> Restriction | None:
        """TokenCore._partyRestriction: registered, active, KYC unexpired, wallet not frozen."""
        investor = self.investors.get(account)
        if investor is None:
            return (
                Restriction.SENDER_NOT_REGISTERED
                if sender
                else Restriction.RECIPIENT_NOT_REGISTERED
            )
        if investor.status != InvestorStatus.ACTIVE:
            return Restriction.SENDER_NOT_ACTIVE if sender else Restriction.RECIPIENT_NOT_ACTIVE
        if self.now > investor.kyc_expiry:
            return Restriction.SENDER_KYC_EXPIRED if sender else Restriction.RECIPIENT_KYC_EXPIRED
        if account in token.wallet_frozen:
            return Restriction.SENDER_FROZEN if sender else Restriction.RECIPIENT_FROZEN
        return None

    def registry_eligible(self, account: str) -> bool:
        investor = self.investors.get(account)
        return investor is not None and investor.eligible(self.now)

    # ---------------------------------------------------------------- token rules

    def restriction(
        self,
        token: TokenModel,
        sender: str,
        to: str,
        value: int,
        path: Path,
        from_encumbered: int = 0,
    ) -> Restriction | None:
        """The first rule a movement breaks (None: allowed), in TokenCore._restriction's order."""
        holder_move = path in (Path.TRANSFER, Path.APPROVED)
        if holder_move and token.paused:
            return Restriction.TOKEN_PAUSED
        if path == Path.TRANSFER and token.approval_required:
            return Restriction.APPROVAL_REQUIRED
        if path == Path.ISSUE and token.redeemed:
            return Restriction.TOKEN_REDEEMED
        receives = path != Path.REDEEM
        if holder_move:
            code = self._party(sender, True, token)
            if code is not None:
                return code
        if receives:
            code = self._party(to, False, token)
            if code is not None:
                return code
            if not (token.allowed_classes >> self.investors[to].cls) & 1:
                return Restriction.RECIPIENT_CLASS_NOT_ALLOWED
        if holder_move and self.now < token.lock_up_until:
            return Restriction.LOCK_UP_PERIOD
        if sender != ZERO and value - from_encumbered > token.free(sender):
            return Restriction.INSUFFICIENT_FREE_BALANCE
        if sender == to:
            return None
        return self._holding(token, sender, to, value, path)

    def _holding(
        self, token: TokenModel, sender: str, to: str, value: int, path: Path
    ) -> Restriction | None:
        """TokenCore._holdingRestriction: minimum holding, holder cap, maximum balance."""
        received = token.balance.get(to, 0) + value
        if token.min_holding:
            if path in (Path.TRANSFER, Path.APPROVED):
                remaining = token.balance.get(sender, 0) - value
                if 0 < remaining < token.min_holding:
                    return Restriction.BELOW_MINIMUM_HOLDING
            if path not in (Path.REDEEM, Path.RECOVERY) and 0 < received < token.min_holding:
                return Restriction.BELOW_MINIMUM_HOLDING
        if path == Path.REDEEM:
            return None
        if token.holder_cap and token.balance.get(to, 0) == 0 and value != 0:
            sender_leaves = sender != ZERO and token.balance.get(sender, 0) == value
            if not sender_leaves and token.holder_count() >= token.holder_cap:
                return Restriction.HOLDER_CAP_REACHED
        if token.max_balance and received > token.max_balance:
            return Restriction.MAX_BALANCE_EXCEEDED
        return None

    def _move(self, token: TokenModel, sender: str, to: str, value: int) -> None:
        if sender != ZERO:
            token.balance[sender] = token.balance.get(sender, 0) - value
        if to != ZERO:
            token.balance[to] = token.balance.get(to, 0) + value
        if sender != ZERO and token.total_supply() == 0 and to == ZERO:
            token.redeemed = True

    # ---- transfer, issue, redeem
    def predict_transfer(
        self, token: TokenModel, sender: str, to: str, value: int
    ) -> Expect | None:
        code = self.restriction(token, sender, to, value, Path.TRANSFER)
        return None if code is None else Expect.rule(code)

    def apply_transfer(self, token: TokenModel, sender: str, to: str, value: int) -> None:
        self._move(token, sender, to, value)

    def predict_issue(self, token: TokenModel, to: str, value: int) -> Expect | None:
        code = self.restriction(token, ZERO, to, value, Path.ISSUE)
        return None if code is None else Expect.rule(code)

    def apply_issue(self, token: TokenModel, to: str, value: int) -> None:
        self._move(token, ZERO, to, value)

    def predict_redeem(self, token: TokenModel, holder: str, value: int) -> Expect | None:
        code = self.restriction(token, holder, ZERO, value, Path.REDEEM)
        return None if code is None else Expect.rule(code)

    def apply_redeem(self, token: TokenModel, holder: str, value: int) -> None:
        self._move(token, holder, ZERO, value)

    # ---- freezes
    def predict_freeze(self, token: TokenModel, account: str, value: int) -> Expect | None:
        if value > token.free(account):
            return Expect.rule(Restriction.INSUFFICIENT_FREE_BALANCE)
        return None

    def apply_freeze(self, token: TokenModel, account: str, value: int) -> None:
        token.frozen[account] = token.frozen.get(account, 0) + value

    def predict_unfreeze(self, token: TokenModel, account: str, value: int) -> Expect | None:
        if value > token.frozen.get(account, 0):
            return Expect("TokenInsufficientFrozen")
        return None

    def apply_unfreeze(self, token: TokenModel, account: str, value: int) -> None:
        token.frozen[account] -= value

    # ---- issuer-approved transfers
    def predict_apply(
        self, token: TokenModel, applicant: str, to: str, value: int
    ) -> Expect | None:
        code = self.restriction(token, applicant, to, value, Path.APPROVED)
        return None if code is None else Expect.rule(code)

    def apply_apply(self, token: TokenModel, applicant: str, to: str, value: int) -> int:
        token.pending[applicant] = token.pending.get(applicant, 0) + value
        token.applications.append(Application(applicant, to, value))
        return len(token.applications) - 1

    def holder_of(self, token: TokenModel, app: Application) -> str:
        """TokenApprovals._pending: the applicant, or (its encumbered amount short of the
        application's) the end of the recovery chain from it."""
        holder = app.applicant
        if token.encumbered(holder) < app.value:
            while holder in token.recovered_to:
                holder = token.recovered_to[holder]
        return holder

    def predict_approve(self, token: TokenModel, app_id: int) -> Expect | None:
        app = token.applications[app_id]
        if app.status != ApplicationStatus.PENDING:
            return Expect("TokenApplicationNotPending")
        holder = self.holder_of(token, app)
        code = self.restriction(
            token, holder, app.to, app.value, Path.APPROVED, from_encumbered=app.value
        )
        return None if code is None else Expect.rule(code)

    def apply_approve(self, token: TokenModel, app_id: int) -> None:
        app = token.applications[app_id]
        holder = self.holder_of(token, app)
        token.pending[holder] -= app.value
        self._move(token, holder, app.to, app.value)
        app.status = ApplicationStatus.APPROVED

    def predict_close_application(
        self, token: TokenModel, app_id: int, caller: str | None
    ) -> Expect | None:
        """Reject (caller None: the agent) or cancel by `caller` (only the holder may)."""
        app = token.applications[app_id]
        if app.status != ApplicationStatus.PENDING:
            return Expect("TokenApplicationNotPending")
        if caller is not None and caller != self.holder_of(token, app):
            return Expect("TokenNotApplicant")
        return None

    def apply_close_application(
        self, token: TokenModel, app_id: int, status: ApplicationStatus
    ) -> None:
        app = token.applications[app_id]
        token.pending[self.holder_of(token, app)] -= app.value
        app.status = status

    # ---------------------------------------------------------------- agent operations

    def predict_forced_transfer(
        self, token: TokenModel, sender: str, to: str, value: int
    ) -> Expect | None:
        """forcedTransfer: free units first, then frozen ones (never to the same wallet: only
        compliance unfreezes, issue 14.5); the recipient's rules only."""
        if value == 0:
            return Expect("TokenZeroValue")
        from_frozen = self._forced_from_frozen(token, sender, to, value)
        if from_frozen > token.frozen.get(sender, 0):
            return Expect.rule(Restriction.INSUFFICIENT_FREE_BALANCE)
        code = self.restriction(token, sender, to, value, Path.FORCED, from_encumbered=from_frozen)
        return None if code is None else Expect.rule(code)

    @staticmethod
    def _forced_from_frozen(token: TokenModel, sender: str, to: str, value: int) -> int:
        """The frozen units a forced transfer takes (TokenOperations.forcedTransfer)."""
        return max(0, value - token.free(sender)) if sender != to else 0

    def apply_forced_transfer(self, token: TokenModel, sender: str, to: str, value: int) -> None:
        from_frozen = self._forced_from_frozen(token, sender, to, value)
        if from_frozen:
            token.frozen[sender] -= from_frozen
        self._move(token, sender, to, value)

    def replace_wallet(self, lost: str, new: str) -> None:
        """InvestorRegistry.replaceWallet: the record moves; the lost wallet is unregistered
        and from now on stands for its investor's current wallet."""
        self.investors[new] = self.investors.pop(lost)
        for old, current in self.current.items():
            if current == lost:
                self.current[old] = new
        self.current[lost] = new
        self.previous[new] = lost

    def current_wallet(self, wallet: str) -> str:
        """The registry's payeeOf: the current wallet of `wallet`'s investor (itself if none)."""
        return self.current.get(wallet, wallet)

    def predict_recovery(self, token: TokenModel, lost: str, new: str) -> Expect | None:
        """recoveryAddress after replaceWallet: the whole balance under the recovery path."""
        value = token.balance.get(lost, 0)
        if value == 0:
            return Expect("TokenZeroValue")
        code = self.restriction(
            token, lost, new, value, Path.RECOVERY, from_encumbered=token.encumbered(lost)
        )
        return None if code is None else Expect.rule(code)

    def apply_recovery(self, token: TokenModel, lost: str, new: str) -> None:
        """Balance, frozen, pending, every lock and the wallet freeze move; nothing else."""
        self._move(token, lost, new, token.balance.get(lost, 0))
        for part in (token.frozen, token.pending):
            part[new] = part.get(new, 0) + part.pop(lost, 0)
        for (lock_address, account), value in list(token.locked.items()):
            if account == lost and value:
                token.locked[(lock_address, lost)] = 0
                key = (lock_address, new)
                token.locked[key] = token.locked.get(key, 0) + value
                if lock_address == self.dvp:
                    token.recovered_dvp_lock[new] = token.recovered_dvp_lock.get(new, 0) + value
        if lost in token.wallet_frozen:
            token.wallet_frozen.discard(lost)
            token.wallet_frozen.add(new)
        token.recovered_to[lost] = new

    def predict_lock(self, token: TokenModel, account: str, value: int) -> Expect | None:
        """lock by the holder: pause and the holder's own checks, then the free balance."""
        if token.paused:
            return Expect.rule(Restriction.TOKEN_PAUSED)
        code = self._party(account, True, token)
        if code is not None:
            return Expect.rule(code)
        return self._predict_encumber(token, account, value)

    def _predict_encumber(self, token: TokenModel, account: str, value: int) -> Expect | None:
        if value == 0:
            return Expect("TokenZeroValue")
        if value > token.free(account):
            return Expect.rule(Restriction.INSUFFICIENT_FREE_BALANCE)
        return None

    def predict_force_lock(
        self,
        token: TokenModel,
        lock_address: str,
        account: str,
        value: int,
        buyer: str | None,
        expiry: int,
    ) -> Expect | None:
        """forceLock: no holder checks; a lock to the DvP contract must carry an instruction."""
        expect = self._predict_encumber(token, account, value)
        if expect is not None or lock_address != self.dvp:
            return expect
        return self._predict_instruction(account, buyer, expiry)

    def apply_lock(self, token: TokenModel, lock_address: str, account: str, value: int) -> None:
        key = (lock_address, account)
        token.locked[key] = token.locked.get(key, 0) + value

    def predict_unlock(
        self, token: TokenModel, lock_address: str, account: str, to: str, value: int, path: Path
    ) -> Expect | None:
        """unlock by the lock address (path TRANSFER) or forceUnlock by the agent (FORCED)."""
        if value == 0:
            return Expect("TokenZeroValue")
        if token.locked.get((lock_address, account), 0) < value:
            return Expect("TokenInsufficientLocked")
        if to == account:
            return None
        code = self.restriction(token, account, to, value, path, from_encumbered=value)
        return None if code is None else Expect.rule(code)

    def apply_unlock(
        self, token: TokenModel, lock_address: str, account: str, to: str, value: int
    ) -> None:
        token.locked[(lock_address, account)] -= value
        if to != account:
            self._move(token, account, to, value)

    def predict_set_rules(self, min_holding: int, max_balance: int) -> Expect | None:
        if min_holding and max_balance and min_holding > max_balance:
            return Expect("TokenInvalidRules")
        return None

    # ---------------------------------------------------------------- DvP settlement

    def predict_instruct(
        self, token: TokenModel, seller: str, buyer: str, quantity: int, expiry: int
    ) -> Expect | None:
        """token.lock(dvp, quantity, data): the lock's rules, then DvPSettlement.onTokensLocked."""
        return self.predict_lock(token, seller, quantity) or self._predict_instruction(
            seller, buyer, expiry
        )

    def _predict_instruction(self, seller: str, buyer: str | None, expiry: int) -> Expect | None:
        """DvPSettlement.onTokensLocked: the lock's data must be an instruction (`buyer` None:
        no instruction data) with another buyer and an expiry ahead."""
        if buyer is None:
            return Expect("SettlementInvalidLockData")
        if buyer == seller:
            return Expect("SettlementInvalidBuyer")
        if expiry <= self.now:
            return Expect("SettlementInvalidExpiry")
        return None

    def apply_instruct(self, instruction_id: bytes, instruction: Instruction) -> None:
        token = self.tokens[instruction.token]
        key = (self.dvp, instruction.seller)
        token.locked[key] = token.locked.get(key, 0) + instruction.quantity
        self.instructions[instruction_id] = instruction

    # The buyer's own refusals (ERC-1404 codes) that DvPSettlement.approve checks early.
    BUYER_CODES = frozenset(
        {
            Restriction.RECIPIENT_NOT_REGISTERED,
            Restriction.RECIPIENT_NOT_ACTIVE,
            Restriction.RECIPIENT_KYC_EXPIRED,
            Restriction.RECIPIENT_CLASS_NOT_ALLOWED,
            Restriction.MAX_BALANCE_EXCEEDED,
            Restriction.BELOW_MINIMUM_HOLDING,
            Restriction.RECIPIENT_FROZEN,
        }
    )

    def predict_settlement_approve(self, ins: Instruction) -> Expect | None:
        if ins.approved:
            return Expect("SettlementNotOpen")
        if self.now > ins.expiry:
            return Expect("SettlementExpired")
        token = self.tokens[ins.token]
        buyer = self.current_wallet(ins.buyer)  # the wallet acceptance delivers to
        code = self.restriction(token, ZERO, buyer, ins.quantity, Path.ISSUE)
        if code in self.BUYER_CODES:
            return Expect("SettlementBuyerRestricted")
        return None

    def predict_close_by_party(self, ins: Instruction, caller: str, party: str) -> Expect | None:
        """cancel (party: the seller) and refuse (the buyer): only the party's current wallet."""
        if caller != self.current_wallet(party):
            return Expect("SettlementWrongCaller")
        return None

    def accept_seller(self, ins: Instruction) -> str:
        """The wallet whose lock delivers and which is paid: the named seller's, or its
        investor's current wallet once a recovery carried the lock there (issue 14 point 4)."""
        token = self.tokens[ins.token]
        if token.locked.get((self.dvp, ins.seller), 0) >= ins.quantity:
            return ins.seller
        return self.current_wallet(ins.seller)

    def predict_accept(self, ins: Instruction, caller: str | None = None) -> Expect | None:
        """accept by the named buyer or its investor's current wallet (`caller`): settlement
        checks, then the coin leg, then the token leg."""
        token = self.tokens[ins.token]
        buyer = caller or ins.buyer
        if buyer != ins.buyer and buyer != self.current_wallet(ins.buyer):
            return Expect("SettlementWrongCaller")
        if self.now > ins.expiry:
            return Expect("SettlementExpired")
        if not ins.approved and token.settlement_approval_required():
            return Expect("SettlementApprovalRequired")
        seller = self.accept_seller(ins)
        if buyer not in self.coin.dvp_allowance:
            return Expect("ERC20InsufficientAllowance")
        coin_refusal = self.predict_coin_transfer(buyer, seller, ins.amount)
        if coin_refusal is not None:
            return coin_refusal
        if token.locked.get((self.dvp, seller), 0) < ins.quantity:
            return Expect("TokenInsufficientLocked")
        code = self.restriction(
            token, seller, buyer, ins.quantity, Path.APPROVED, from_encumbered=ins.quantity
        )
        return None if code is None else Expect.rule(code)

    def apply_accept(self, instruction_id: bytes, caller: str | None = None) -> None:
        ins = self.instructions[instruction_id]
        token = self.tokens[ins.token]
        buyer, seller = caller or ins.buyer, self.accept_seller(ins)
        del self.instructions[instruction_id]
        token.locked[(self.dvp, seller)] -= ins.quantity
        if seller != ins.seller:  # the lock a recovery carried is this instruction's
            recovered = token.recovered_dvp_lock.get(seller, 0)
            token.recovered_dvp_lock[seller] = recovered - min(recovered, ins.quantity)
        self._move(token, seller, buyer, ins.quantity)
        self.apply_coin_transfer(buyer, seller, ins.amount)

    def predict_release(self, ins: Instruction) -> Expect | None:
        if self.now <= ins.expiry:
            return Expect("SettlementNotExpired")
        return None

    def apply_close_instruction(self, instruction_id: bytes) -> None:
        """Cancel, reject or release: the lock goes back to the seller's free balance, or what a
        forced unlock left of it (DvPSettlement._close returns what is there); a lock a recovery
        carried to the seller's new wallet returns there (the instruction follows the investor)."""
        ins = self.instructions.pop(instruction_id)
        token = self.tokens[ins.token]
        locked = token.locked
        key = (self.dvp, ins.seller)
        returned = min(locked.get(key, 0), ins.quantity)
        locked[key] = locked.get(key, 0) - returned
        current = self.current_wallet(ins.seller)
        if returned < ins.quantity and current != ins.seller:
            new_key = (self.dvp, current)
            more = min(locked.get(new_key, 0), ins.quantity - returned)
            locked[new_key] = locked.get(new_key, 0) - more
            recovered = token.recovered_dvp_lock.get(current, 0)
            token.recovered_dvp_lock[current] = recovered - min(recovered, more)

    # ---------------------------------------------------------------- venue batch settlement

    def predict_batch(
        self, token: TokenModel, venue: str, participants: list[str], trades: list[Trade]
    ) -> tuple[Expect | None, TokenModel, CoinModel]:
        """BatchSettlement.settleBatch of trades on one token, all or nothing: each trade's
        delivery from the seller's lock at the venue (every rule, approval carried by the
        venue), then the net payers' yen pulled in participant order, then the net receivers
        paid. Returns the refusal, or None with the token and coin as they end."""
        token, coin = copy.deepcopy(token), copy.deepcopy(self.coin)
        saved, self.coin = self.coin, coin
        try:
            for trade in trades:
                expect = self.predict_unlock(
                    token, venue, trade.seller, trade.buyer, trade.quantity, Path.APPROVED
                )
                if expect is not None:
                    return Expect("BatchTradeFailed"), token, coin
                self.apply_unlock(token, venue, trade.seller, trade.buyer, trade.quantity)
            net = {p: 0 for p in participants}
            for trade in trades:
                net[trade.seller] += trade.amount
                net[trade.buyer] -= trade.amount
            for payer in participants:
                if net[payer] < 0:
                    if payer not in coin.dvp_allowance or self.predict_coin_transfer(
                        payer, venue, -net[payer]
                    ):
                        return Expect("BatchPaymentFailed"), token, coin
                    self.apply_coin_transfer(payer, venue, -net[payer])
            for receiver in participants:
                if net[receiver] > 0:
                    if self.predict_coin_transfer(venue, receiver, net[receiver]):
                        return Expect("BatchPayoutFailed"), token, coin
                    self.apply_coin_transfer(venue, receiver, net[receiver])
            return None, token, coin
        finally:
            self.coin = saved

    # ---------------------------------------------------------------- yen coin

    def _coin_party(self, account: str) -> Expect | None:
        """YenCoin._checkParty in eligibility mode: not frozen, then eligible or a system account."""
        if account in self.coin.frozen:
            return Expect("YenAccountFrozen")
        if account not in self.coin.system and not self.registry_eligible(account):
            return Expect("YenNotEligible")
        return None

    def predict_coin_transfer(self, sender: str, to: str, amount: int) -> Expect | None:
        if self.coin.paused:
            return Expect("YenPaused")
        refusal = self._coin_party(sender) or self._coin_party(to)
        if refusal is not None:
            return refusal
        if amount > self.coin.balance.get(sender, 0):
            return Expect("ERC20InsufficientBalance")
        return None

    def apply_coin_transfer(self, sender: str, to: str, amount: int) -> None:
        self.coin.balance[sender] -= amount
        self.coin.balance[to] = self.coin.balance.get(to, 0) + amount

    def predict_mint(self, minter: str, to: str, amount: int) -> Expect | None:
        if minter in self.coin.frozen:
            return Expect("YenAccountFrozen")
        if self.coin.paused:
            return Expect("YenPaused")
        return self._coin_party(to)

    def apply_mint(self, to: str, amount: int) -> None:
        self.coin.balance[to] = self.coin.balance.get(to, 0) + amount
        self.coin.minted += amount

    def predict_burn(self, holder: str, amount: int) -> Expect | None:
        """burn by a minter and redeem by a holder both burn the caller's own coins."""
        if self.coin.paused:
            return Expect("YenPaused")
        refusal = self._coin_party(holder)
        if refusal is not None:
            return refusal
        if amount > self.coin.balance.get(holder, 0):
            return Expect("ERC20InsufficientBalance")
        return None

    def apply_burn(self, holder: str, amount: int) -> None:
        self.coin.balance[holder] -= amount
        self.coin.burned += amount

    def predict_coin_pause(self, pause: bool) -> Expect | None:
        if pause == self.coin.paused:
            return Expect("YenPaused" if pause else "YenNotPaused")
        return None

    def predict_coin_freeze(self, account: str, freeze: bool) -> Expect | None:
        if freeze and account in self.coin.frozen:
            return Expect("YenAccountFrozen")
        if not freeze and account not in self.coin.frozen:
            return Expect("YenAccountNotFrozen")
        return None

    # ---------------------------------------------------------------- record dates and payments

    def pass_time(self, new_now: int) -> None:
        """Moves the clock; every record date it passes takes the balances as they stand."""
        for token in self.tokens.values():
            for index, date in enumerate(token.record_dates):
                if index not in token.snapshots and date < new_now:
                    token.snapshots[index] = (dict(token.balance), token.total_supply())
        self.now = new_now

    def entitlement_units(self, payment: Payment, holder: str) -> int:
        """What CorporateActions.entitlementOf reports: record-date units (a call: half the
        current holding, if free) while unpaid, else 0."""
        if holder in payment.entries:
            return 0
        token = self.tokens[payment.token]
        if payment.call:
            units = token.balance.get(holder, 0) // 2
            return units if units <= token.free(holder) else 0
        balances, _ = token.snapshots[payment.record_index]
        return balances.get(holder, 0)

    def required_funding(self, payment: Payment) -> int:
        if payment.call:
            outstanding = self.tokens[payment.token].total_supply() // 2
            return payment.paid + payment.held + outstanding * payment.amount_per_unit
        _, supply = self.tokens[payment.token].snapshots[payment.record_index]
        return supply * payment.amount_per_unit

    def _refused_payee(self, payment: Payment, holder: str, recipient: str) -> bool:
        token = self.tokens[payment.token]
        return (
            holder in token.wallet_frozen
            or recipient in token.wallet_frozen
            or self.coin.paused
            or self._coin_party(recipient) is not None
        )

    def predict_pay(self, payment: Payment, holders: list[str]) -> Expect | None:
        """payBatch / claim over `holders` in order: underfunded when the committed total
        would pass the funded total (a call's holdings may have grown since funding)."""
        committed = payment.paid + payment.held
        seen: set[str] = set()
        for holder in holders:
            if holder in seen:
                continue
            seen.add(holder)
            committed += self.entitlement_units(payment, holder) * payment.amount_per_unit
            if committed > payment.funded:
                return Expect("CorporateUnderfunded")
        return None

    def pay(self, payment: Payment, holder: str, corporate: str) -> None:
        """One holder's settlement: its investor's current wallet is paid if neither it nor the
        holder is frozen on the token and the coin lets it receive, else the net is held; a call
        burns the units it pays for."""
        units = self.entitlement_units(payment, holder)
        if units == 0:
            return
        net = units * payment.amount_per_unit
        if payment.call:
            self.apply_redeem(self.tokens[payment.token], holder, units)
        recipient = self.current_wallet(holder)
        if self._refused_payee(payment, holder, recipient):
            payment.entries[holder] = "held"
            payment.held += net
            payment.held_net[holder] = net
            return
        payment.entries[holder] = "paid"
        payment.paid += net
        self.apply_coin_transfer(corporate, recipient, net)
        self.payouts.append((recipient, holder))

    def predict_claim(self, payment: Payment, caller: str) -> Expect | None:
        """CorporateActions.claim: only the investor's current wallet; it collects its own
        entitlement and that of the wallet its latest replacement retired."""
        if caller in self.current:
            return Expect("CorporateNotCurrentWallet")
        holders = [caller] + ([self.previous[caller]] if caller in self.previous else [])
        refusal = self.predict_pay(payment, holders)
        if refusal is not None:
            return refusal
        if not any(self.entitlement_units(payment, h) for h in holders):
            return Expect("CorporateNothingToClaim")
        return None

    def apply_claim(self, payment: Payment, caller: str, corporate: str) -> None:
        self.pay(payment, caller, corporate)
        if caller in self.previous:
            self.pay(payment, self.previous[caller], corporate)

    def predict_release_held(self, payment: Payment, holder: str) -> Expect | None:
        """releaseHeld (anyone): neither the holder nor its current wallet frozen on the token,
        the entry held, then the coin's own rules for the current wallet."""
        token, recipient = self.tokens[payment.token], self.current_wallet(holder)
        if holder in token.wallet_frozen or recipient in token.wallet_frozen:
            return Expect("CorporateHolderFrozen")
        if payment.entries.get(holder) != "held":
            return Expect("CorporateNotHeld")
        if self.coin.paused:
            return Expect("YenPaused")
        return self._coin_party(recipient)

    def apply_release_held(self, payment: Payment, holder: str, corporate: str) -> None:
        net = payment.held_net.pop(holder)
        recipient = self.current_wallet(holder)
        payment.entries[holder] = "paid"
        payment.held -= net
        payment.paid += net
        self.apply_coin_transfer(corporate, recipient, net)
        self.payouts.append((recipient, holder))
