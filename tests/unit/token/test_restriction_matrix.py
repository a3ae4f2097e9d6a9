"""Every restriction code on every path, for each FIEA category profile.

One test per category. Each condition is set up inside a chain snapshot, then every path is
simulated (eth_call: a transaction per refusal would cost 0.6 s in Ape) and must be refused with
TransferRestricted carrying exactly the expected code; detectTransferRestriction must answer the
same code for a direct transfer and for an issue. One test confirms a real transaction reverts.

Paths whose sender side is not checked (issue, forced transfer) are shown to succeed under the
sender-side conditions; approve and unlock set the condition AFTER the application / the lock, so
they also show that rules are checked again at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ape
import pytest
from ape import accounts
from fixtures.platform import investor_id_for
from fixtures.platform import refusal as restriction_refusal

from kabuto.onchain_types import (
    ALL_CLASSES,
    PROFESSIONAL_CLASSES,
    ZERO_ADDRESS,
    Category,
    InvestorClass,
    InvestorStatus,
    Restriction,
    Rules,
)

VALUE = 10
HOLDING = 100


@dataclass
class World:
    chain: Any
    token: Any
    registry: Any
    registrar: Any
    issuer: Any
    agent: Any
    compliance: Any
    sender: Any
    recipient: Any
    spender: Any
    venue: Any
    outsider: Any
    category: Category
    investor_class: InvestorClass
    base_rules: Rules

    @property
    def application(self) -> tuple[int, str, str, int, int]:
        """Application 0 as the decisions pass it: alice's VALUE to bob, no expiry."""
        return (0, str(self.sender.address), str(self.recipient.address), 0, VALUE)

    def set_rules(self, **changes: Any) -> None:
        fields = {**self.base_rules.__dict__, **changes}
        self.token.setRules(Rules(**fields).as_tuple(), sender=self.issuer)

    def expire_kyc(self, wallet: Any) -> None:
        soon = self.chain.pending_timestamp + 5
        self.registry.updateInvestor(
            investor_id_for(wallet), int(self.investor_class), 392, soon, sender=self.registrar
        )
        self.chain.pending_timestamp += 100
        self.chain.mine()

    def replace_wallet(self, wallet: Any) -> None:
        fresh = accounts.test_accounts.generate_test_account()
        self.registry.replaceWallet(investor_id_for(wallet), fresh, sender=self.registrar)

    def set_status(self, wallet: Any, status: InvestorStatus) -> None:
        self.registry.setInvestorStatus(investor_id_for(wallet), int(status), sender=self.registrar)


HOLDER_PATHS = ("transfer", "transferFrom", "apply", "approve", "unlock")
ALL_PATHS = HOLDER_PATHS + ("issue", "forced")


@dataclass(frozen=True)
class Condition:
    name: str
    code: Restriction
    paths: tuple[str, ...]
    setup: Callable[[World], dict | None]
    categories: tuple[Category, ...] = tuple(Category)


def _not_general(w: World) -> None:
    w.registry.updateInvestor(
        investor_id_for(w.recipient),
        int(InvestorClass.GENERAL),
        392,
        w.chain.pending_timestamp + 10**6,
        sender=w.registrar,
    )
    allowed = PROFESSIONAL_CLASSES if w.category == Category.EXCLUDED_CLASS2 else ALL_CLASSES & ~1
    w.set_rules(allowed_classes=allowed)


def _redeem_everything(w: World) -> None:
    w.token.cancelTransfer(w.application, b"", sender=w.sender)
    w.token.unlock(w.sender, w.sender, VALUE, b"", sender=w.venue)
    w.token.redeem(w.sender, HOLDING, b"", sender=w.agent)


CONDITIONS = (
    Condition(
        "paused",
        Restriction.TOKEN_PAUSED,
        HOLDER_PATHS,
        lambda w: w.token.pause(sender=w.compliance),
    ),
    Condition(
        "sender not registered",
        Restriction.SENDER_NOT_REGISTERED,
        HOLDER_PATHS,
        lambda w: w.replace_wallet(w.sender),
    ),
    Condition(
        "sender suspended",
        Restriction.SENDER_NOT_ACTIVE,
        HOLDER_PATHS,
        lambda w: w.set_status(w.sender, InvestorStatus.SUSPENDED),
    ),
    Condition(
        "sender KYC expired",
        Restriction.SENDER_KYC_EXPIRED,
        HOLDER_PATHS,
        lambda w: w.expire_kyc(w.sender),
    ),
    Condition(
        "sender frozen",
        Restriction.SENDER_FROZEN,
        HOLDER_PATHS,
        lambda w: w.token.setAddressFrozen(w.sender, True, sender=w.compliance),
    ),
    Condition(
        "recipient not registered",
        Restriction.RECIPIENT_NOT_REGISTERED,
        ALL_PATHS,
        lambda w: w.replace_wallet(w.recipient),
    ),
    Condition(
        "recipient revoked",
        Restriction.RECIPIENT_NOT_ACTIVE,
        ALL_PATHS,
        lambda w: w.set_status(w.recipient, InvestorStatus.REVOKED),
    ),
    Condition(
        "recipient KYC expired",
        Restriction.RECIPIENT_KYC_EXPIRED,
        ALL_PATHS,
        lambda w: w.expire_kyc(w.recipient),
    ),
    Condition(
        "recipient frozen",
        Restriction.RECIPIENT_FROZEN,
        ALL_PATHS,
        lambda w: w.token.setAddressFrozen(w.recipient, True, sender=w.compliance),
    ),
    Condition(
        "recipient class not allowed",
        Restriction.RECIPIENT_CLASS_NOT_ALLOWED,
        ALL_PATHS,
        _not_general,
    ),
    Condition(
        "holder cap", Restriction.HOLDER_CAP_REACHED, ALL_PATHS, lambda w: w.set_rules(holder_cap=1)
    ),
    Condition(
        "max balance",
        Restriction.MAX_BALANCE_EXCEEDED,
        ALL_PATHS,
        lambda w: w.set_rules(max_balance=VALUE - 1),
    ),
    Condition(
        "minimum holding",
        Restriction.BELOW_MINIMUM_HOLDING,
        ALL_PATHS,
        lambda w: w.set_rules(min_holding=VALUE + 1),
    ),
    Condition(
        "lock-up",
        Restriction.LOCK_UP_PERIOD,
        HOLDER_PATHS,
        lambda w: w.set_rules(lock_up_until=w.chain.pending_timestamp + 10_000),
    ),
    Condition(
        "QII resale only",
        Restriction.QII_RESALE_ONLY,
        HOLDER_PATHS + ("forced",),
        lambda w: w.set_rules(qii_resale_only=True),
        categories=(Category.CLASS1,),
    ),
    Condition(
        "approval required",
        Restriction.APPROVAL_REQUIRED,
        ("transfer", "transferFrom", "unlock"),
        lambda w: w.set_rules(approval_required=True),
        categories=(Category.CLASS1, Category.CLASS2),
    ),
    Condition(
        "insufficient free balance",
        Restriction.INSUFFICIENT_FREE_BALANCE,
        ("transfer", "transferFrom", "apply", "forced"),
        lambda w: {"value": HOLDING - 2 * VALUE + 1},  # pending and locked are not free
    ),
    Condition(
        "invalid recipient",
        Restriction.INVALID_RECIPIENT,
        ("transfer", "transferFrom", "apply", "issue", "forced"),
        lambda w: {"to": ZERO_ADDRESS},
    ),
    Condition("redeemed", Restriction.TOKEN_REDEEMED, ("issue",), _redeem_everything),
)

# Sender-side conditions an agent path does not check: the operation succeeds.
SENDER_SIDE = (
    "paused",
    "sender not registered",
    "sender suspended",
    "sender KYC expired",
    "sender frozen",
    "lock-up",
)


def _profile(category: Category) -> tuple[InvestorClass, Rules]:
    if category == Category.EXCLUDED_CLASS2:
        return InvestorClass.SPECIFIED, Rules(
            allowed_classes=PROFESSIONAL_CLASSES, approval_required=True
        )
    return InvestorClass.GENERAL, Rules(allowed_classes=ALL_CLASSES)


@pytest.fixture
def build_world(
    chain,
    make_token,
    registry,
    registrar,
    enroll,
    issuer,
    agent,
    compliance,
    alice,
    bob,
    dave,
    venue,
    outsider,
):
    """A token of `category` where alice holds HOLDING units, has applied to send VALUE to bob
    (application 0), has locked VALUE to the venue and allows dave to spend on her behalf."""

    def _build(category: Category) -> World:
        cls, rules = _profile(category)
        for wallet in (alice, bob):
            enroll(wallet, cls=cls)
        token = make_token(category=category, rules=rules)
        token.issue(alice, HOLDING, b"", sender=agent)
        token.authorizeLockAddress(venue, True, category == Category.EXCLUDED_CLASS2, sender=issuer)
        token.applyForTransfer(bob, VALUE, b"", sender=alice)
        token.lock(venue, VALUE, b"", sender=alice)
        token.approve(dave, 10**6, sender=alice)
        return World(
            chain,
            token,
            registry,
            registrar,
            issuer,
            agent,
            compliance,
            alice,
            bob,
            dave,
            venue,
            outsider,
            category,
            cls,
            rules,
        )

    return _build


def _call(w: World, path: str, to: Any, value: int) -> tuple[Any, str, tuple]:
    """(caller, method, args) of one path."""
    return {
        "transfer": (w.sender, "transfer", (to, value)),
        "transferFrom": (w.spender, "transferFrom", (w.sender, to, value)),
        "apply": (w.sender, "applyForTransfer", (to, value, b"")),
        "approve": (w.agent, "approveTransfer", (w.application, b"")),
        "unlock": (w.venue, "unlock", (w.sender, to, value, b"")),
        "issue": (w.agent, "issue", (to, value, b"")),
        "forced": (w.agent, "forcedTransfer", (w.sender, to, value, 0, b"")),
    }[path]


def refusal(w: World, path: str, to: Any, value: int = VALUE) -> Restriction | None:
    """The code `path` is refused with at the current state, or None."""
    caller, method, args = _call(w, path, to, value)
    return restriction_refusal(w.token, caller, method, *args)


@pytest.mark.parametrize("category", list(Category), ids=lambda c: c.name)
def test_restriction_codes__every_condition_on_every_path__refused_with_its_code(
    build_world, chain, category
):
    w = build_world(category)
    failures = []
    for cond in CONDITIONS:
        if category not in cond.categories:
            continue
        with chain.isolate():
            overrides = cond.setup(w) or {}
            to, value = overrides.get("to", w.recipient), overrides.get("value", VALUE)
            for path in ALL_PATHS:
                if path in cond.paths:
                    expected = cond.code
                    if (
                        path in ("transfer", "transferFrom")
                        and category == Category.EXCLUDED_CLASS2
                    ):
                        # A direct transfer is impossible whatever else holds (only pause comes first).
                        expected = (
                            expected
                            if expected == Restriction.TOKEN_PAUSED
                            else Restriction.APPROVAL_REQUIRED
                        )
                elif path in ("issue", "forced") and cond.name in SENDER_SIDE:
                    expected = None  # agent paths do not check the sender side
                else:
                    continue
                got = refusal(w, path, to, value)
                if got != expected:
                    failures.append(
                        f"{cond.name} / {path}: got {got and got.name}, expected {expected and expected.name}"
                    )
                if path in ("transfer", "issue"):
                    sender = ZERO_ADDRESS if path == "issue" else w.sender
                    detected = Restriction(w.token.detectTransferRestriction(sender, to, value))
                    if detected != (expected or Restriction.SUCCESS):
                        failures.append(f"{cond.name} / detect {path}: {detected.name}")
    assert not failures, "\n".join(failures)


def test_restriction_codes__refusal_by_transaction__reverts_with_transfer_restricted(
    build_world, chain
):
    """The simulated refusals above are what a real transaction gets."""
    w = build_world(Category.CLASS1)
    w.token.setAddressFrozen(w.recipient, True, sender=w.compliance)
    with ape.reverts(w.token.TransferRestricted):
        w.token.transfer(w.recipient, VALUE, sender=w.sender)
    with ape.reverts(w.token.TransferRestricted):
        w.token.approveTransfer(w.application, b"", sender=w.agent)


def test_excluded_class2__unlock_from_lock_address_without_approval__approval_required(build_world):
    w = build_world(Category.EXCLUDED_CLASS2)
    w.token.authorizeLockAddress(w.venue, True, False, sender=w.issuer)
    assert refusal(w, "unlock", w.recipient) == Restriction.APPROVAL_REQUIRED
    # Back to its own holder is not a transfer: allowed.
    w.token.unlock(w.sender, w.sender, VALUE, b"", sender=w.venue)
    assert w.token.lockedOf(w.venue, w.sender) == 0
