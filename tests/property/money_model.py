"""The plain Python model of the money state machine (test_money_state_machine.py): a bond's
holders and their wallets, yen balances, record-date snapshots, DvP instructions and coupon and
redemption payments. Every amount is computed here from the term sheet and the tax rules, not by
kabuto.coupons or the contracts: a regular half-year coupon of a 100,000 yen, 0.35% bond is 175
yen a unit; withholding by the investor's tax status, each component truncated to the yen.

Each operation predicts its outcome first (`None` for success, or the `Expect`ed refusal), in
the contracts' documented order of checks; `apply_*` then updates the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kabuto.onchain_types import Restriction, TaxStatus
from property.model import Expect, Instruction

FACE = 100_000
COUPON_PER_UNIT = 175  # 100,000 x 0.35% / 2: every regular half-year, whatever day it is paid
TREATY_PERCENT = 10  # the non-resident's treaty rate the paying agent sets (national only)


def withholding(status: TaxStatus, treaty: bool, gross: int) -> tuple[int, int]:
    """(national, local) tax on a holder's whole gross interest, each truncated to the yen:
    resident individuals (and undeclared) 15.315% + 5%, domestic corporations 15.315%,
    non-residents 15.315% or the treaty rate without local tax, exempt nothing."""
    if status == TaxStatus.EXEMPT:
        return 0, 0
    if status == TaxStatus.NON_RESIDENT and treaty:
        return gross * TREATY_PERCENT // 100, 0
    national = gross * 15_315 // 100_000
    local = (
        gross * 5 // 100 if status in (TaxStatus.RESIDENT_INDIVIDUAL, TaxStatus.UNDECLARED) else 0
    )
    return national, local


@dataclass
class Pay:
    """One declared payment: coupon `index` (interest) or the maturity redemption."""

    id: int
    redemption: bool
    index: int  # coupon / record index (0 for the redemption)
    payment_date: int
    funded: int = 0
    entries: dict[str, str] = field(default_factory=dict)  # holder -> "paid" | "held"
    held: dict[str, int] = field(default_factory=dict)  # holder -> net held


@dataclass
class Payout:
    """What settling one holder moved: to whom, how much, and the tax."""

    holder: str
    recipient: str
    units: int
    net: int
    tax: int
    held: bool


@dataclass
class MoneyModel:
    status: dict[str, TaxStatus]  # investor name -> tax status
    treaty: set[str]  # investor names with the treaty rate
    wallet: dict[str, str]  # investor name -> current wallet
    units: dict[str, int]  # bond balance by wallet
    yen: dict[str, int]
    allowance: set[str]  # wallets that authorised the DvP contract on the coin
    tax_account: str
    now: int = 0
    owner: dict[str, str] = field(default_factory=dict)  # every wallet ever -> investor name
    previous: dict[str, str] = field(default_factory=dict)  # name -> latest replaced wallet
    lost: list[str] = field(default_factory=list)
    locked: dict[str, int] = field(default_factory=dict)  # DvP lock by wallet
    frozen: set[str] = field(default_factory=set)  # the token's wallet freezes
    snapshots: dict[int, dict[str, int]] = field(default_factory=dict)
    instructions: dict[bytes, Instruction] = field(default_factory=dict)
    payments: dict[int, Pay] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.owner = {w: n for n, w in self.wallet.items()}

    # ------------------------------------------------------------ wallets

    def current(self, wallet: str) -> str:
        """The registry's payeeOf: the investor's current wallet, or `wallet` if unknown."""
        name = self.owner.get(wallet)
        return self.wallet[name] if name else wallet

    def registered(self, wallet: str) -> bool:
        name = self.owner.get(wallet)
        return name is not None and self.wallet[name] == wallet

    def free(self, wallet: str) -> int:
        return self.units.get(wallet, 0) - self.locked.get(wallet, 0)

    def replace(self, name: str, new: str) -> str:
        lost = self.wallet[name]
        self.wallet[name] = new
        self.owner[new] = name
        self.previous[name] = lost
        self.lost.append(lost)
        return lost

    def predict_recovery(self, lost: str, new: str) -> Expect | None:
        name = self.owner.get(new)
        if name is None or self.wallet[name] != new or self.previous.get(name) != lost:
            return Expect("TokenRecoveryNotRegistered")
        if self.units.get(lost, 0) == 0:
            return Expect("TokenZeroValue")
        if new in self.frozen:  # the recovery path checks the recipient only
            return Expect.rule(Restriction.RECIPIENT_FROZEN)
        return None

    def apply_recovery(self, lost: str, new: str) -> None:
        """The whole balance, its DvP lock and the wallet freeze move to the new wallet."""
        self.units[new] = self.units.get(new, 0) + self.units.pop(lost, 0)
        self.locked[new] = self.locked.get(new, 0) + self.locked.pop(lost, 0)
        if lost in self.frozen:
            self.frozen.discard(lost)
            self.frozen.add(new)

    # ------------------------------------------------------------ the bond

    def party(self, wallet: str, sender: bool) -> Restriction | None:
        if not self.registered(wallet):
            return (
                Restriction.SENDER_NOT_REGISTERED
                if sender
                else Restriction.RECIPIENT_NOT_REGISTERED
            )
        if wallet in self.frozen:
            return Restriction.SENDER_FROZEN if sender else Restriction.RECIPIENT_FROZEN
        return None

    def predict_transfer(self, sender: str, to: str, value: int, locked: int = 0) -> Expect | None:
        """A holder move (transfer, or a DvP delivery from a lock of `locked` units)."""
        for code in (self.party(sender, True), self.party(to, False)):
            if code is not None:
                return Expect.rule(code)
        if value - locked > self.free(sender):
            return Expect.rule(Restriction.INSUFFICIENT_FREE_BALANCE)
        return None

    def move(self, sender: str, to: str, value: int) -> None:
        self.units[sender] -= value
        self.units[to] = self.units.get(to, 0) + value

    def pass_record_date(self, index: int) -> None:
        self.snapshots[index] = {w: u for w, u in self.units.items() if u}

    # ------------------------------------------------------------ yen

    def predict_yen(self, sender: str, amount: int) -> Expect | None:
        if self.yen.get(sender, 0) < amount:
            return Expect("ERC20InsufficientBalance")
        return None

    def move_yen(self, sender: str, to: str, amount: int) -> None:
        self.yen[sender] -= amount
        self.yen[to] = self.yen.get(to, 0) + amount

    # ------------------------------------------------------------ DvP

    def predict_instruct(self, seller: str, quantity: int) -> Expect | None:
        code = self.party(seller, True)
        if code is not None:
            return Expect.rule(code)
        if quantity > self.free(seller):
            return Expect.rule(Restriction.INSUFFICIENT_FREE_BALANCE)
        return None

    def accept_parties(self, ins: Instruction) -> tuple[str, str]:
        """(seller wallet that delivers and is paid, buyer wallet that pays and receives)."""
        seller = ins.seller
        if self.locked.get(seller, 0) < ins.quantity:
            seller = self.current(seller)
        return seller, self.current(ins.buyer)

    def predict_accept(self, ins: Instruction, caller: str) -> Expect | None:
        if caller != ins.buyer and caller != self.current(ins.buyer):
            return Expect("SettlementWrongCaller")
        if self.now > ins.expiry:
            return Expect("SettlementExpired")
        seller, _ = self.accept_parties(ins)
        if caller not in self.allowance:
            return Expect("ERC20InsufficientAllowance")
        refusal = self.predict_yen(caller, ins.amount)
        if refusal is not None:
            return refusal
        if self.locked.get(seller, 0) < ins.quantity:
            return Expect("TokenInsufficientLocked")
        return self.predict_transfer(seller, caller, ins.quantity, locked=ins.quantity)

    def apply_accept(self, ins_id: bytes, caller: str) -> tuple[str, str]:
        ins = self.instructions.pop(ins_id)
        seller, _ = self.accept_parties(ins)
        self.locked[seller] -= ins.quantity
        self.move(seller, caller, ins.quantity)
        self.move_yen(caller, seller, ins.amount)
        return seller, caller

    def predict_close(self, ins: Instruction, caller: str, party: str | None) -> Expect | None:
        """cancel (party: seller), refuse (party: buyer), release (party None, after expiry)."""
        if party is None:
            return Expect("SettlementNotExpired") if self.now <= ins.expiry else None
        return None if caller == self.current(party) else Expect("SettlementWrongCaller")

    def apply_close(self, ins_id: bytes) -> None:
        """The lock returns to the named seller, the rest from its new wallet (recovery)."""
        ins = self.instructions.pop(ins_id)
        returned = min(self.locked.get(ins.seller, 0), ins.quantity)
        self.locked[ins.seller] = self.locked.get(ins.seller, 0) - returned
        current = self.current(ins.seller)
        if returned < ins.quantity and current != ins.seller:
            more = min(self.locked.get(current, 0), ins.quantity - returned)
            self.locked[current] = self.locked.get(current, 0) - more

    # ------------------------------------------------------------ coupons and redemption

    def required(self, pay: Pay) -> int:
        if pay.redemption:
            return sum(self.units.values()) * FACE
        return sum(self.snapshots[pay.index].values()) * COUPON_PER_UNIT

    def payable(self, pay: Pay | None) -> Expect | None:
        if pay is None:
            return Expect("CorporateUnknownPayment")
        if self.now < pay.payment_date:
            return Expect("CorporateBeforePaymentDate")
        return None

    def settle(self, pay: Pay, holder: str) -> Payout | None:
        """What settling `holder` would do (not applied): None when nothing is due."""
        if pay.entries.get(holder) and not pay.redemption:
            return None
        units = self.free(holder) if pay.redemption else self.snapshots[pay.index].get(holder, 0)
        if units == 0:
            return None
        gross = units * (FACE if pay.redemption else COUPON_PER_UNIT)
        name = self.owner.get(holder)
        recipient = self.current(holder)
        status = self.status[name] if name else TaxStatus.UNDECLARED
        national, local = (
            (0, 0) if pay.redemption else withholding(status, name in self.treaty, gross)
        )
        held = holder in self.frozen or (recipient != holder and recipient in self.frozen)
        return Payout(holder, recipient, units, gross - national - local, national + local, held)

    def apply_payout(self, pay: Pay, out: Payout, corporate: str) -> None:
        if pay.redemption:
            self.units[out.holder] -= out.units
        if out.held:
            pay.entries[out.holder] = "held"
            pay.held[out.holder] = pay.held.get(out.holder, 0) + out.net
        else:
            if pay.entries.get(out.holder) != "held":
                pay.entries[out.holder] = "paid"
            self.move_yen(corporate, out.recipient, out.net)
        if out.tax:
            self.move_yen(corporate, self.tax_account, out.tax)

    def predict_claim(self, pay: Pay | None, caller: str) -> tuple[Expect | None, list[Payout]]:
        refusal = self.payable(pay)
        if refusal is not None:
            return refusal, []
        name = self.owner.get(caller)
        if name is not None and self.wallet[name] != caller:
            return Expect("CorporateNotCurrentWallet"), []
        outs = [self.settle(pay, caller)]
        previous = self.previous.get(name) if name else None
        if previous is not None:
            outs.append(self.settle(pay, previous))
        payouts = [o for o in outs if o is not None]
        if not payouts:
            return Expect("CorporateNothingToClaim"), []
        return None, payouts

    def predict_release(self, pay: Pay | None, holder: str) -> Expect | None:
        if pay is None:
            return Expect("CorporateUnknownPayment")
        recipient = self.current(holder)
        if holder in self.frozen or (recipient != holder and recipient in self.frozen):
            return Expect("CorporateHolderFrozen")
        if pay.entries.get(holder) != "held":
            return Expect("CorporateNotHeld")
        return None

    def apply_release(self, pay: Pay, holder: str, corporate: str) -> None:
        pay.entries[holder] = "paid"
        self.move_yen(corporate, self.current(holder), pay.held.pop(holder))
