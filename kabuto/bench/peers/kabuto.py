"""Kabuto itself, measured against the agreed interfaces (interfaces/IInvestorRegistry.sol and
interfaces/ISecurityToken.sol) on the same chain as the peers.

Until the contracts are in the project, every key is reported as pending with the missing
contract types named; nothing is estimated.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from kabuto.bench.context import BenchContext, expect, gas_of
from kabuto.bench.model import BenchError, Outcome
from kabuto.bench.registry import Peer, pending_all

REGISTRY = "InvestorRegistry"
TOKEN = "SecurityToken"
COIN = "YenCoin"
DVP = "DvPSettlement"
BATCH = "BatchSettlement"

TOKEN_KEYS = (
    "kabuto.transfer.new_holder",
    "kabuto.transfer.existing_holder",
    "kabuto.issue.new_holder",
    "kabuto.forced_transfer.new_holder",
    "kabuto.onboard_investor",
    "kabuto.approved_transfer.total",
)
SETTLEMENT_KEYS = ("kabuto.dvp.total", "kabuto.batch_settlement.per_trade")
KEYS = TOKEN_KEYS + SETTLEMENT_KEYS

# IInvestorRegistry.InvestorClass / ISecurityToken enums, by position.
CLASS_GENERAL, CLASS_SPECIFIED, CLASS_QII = 0, 1, 2
CATEGORY_CLASS1, KIND_BOND = 0, 0
REASON_COURT_ORDER = 0
COUNTRY_JAPAN = 392
KYC_VALIDITY_S = 365 * 24 * 3600
# An RSA-2048 OAEP ciphertext of the investor's personal data: 256 bytes (ibet stores the
# base64 text, 344 bytes). Random bytes cost the same calldata as a real ciphertext.
CIPHERTEXT_BYTES = 256
AMOUNT = 10
# Rules with both-sides checks, the holder cap and the class rule active, as the target says.
GAS_RULES = (
    (1 << CLASS_GENERAL) | (1 << CLASS_SPECIFIED) | (1 << CLASS_QII),  # allowedClasses
    1_000,  # holderCap
    0,  # maxBalance
    0,  # minHolding
    0,  # lockUpUntil
    False,  # qiiResaleOnly
    False,  # approvalRequired
)


def missing_types(ctx: BenchContext, *names: str) -> list[str]:
    """The contract types among ``names`` the compiled project does not have (yet)."""
    missing = []
    for name in names:
        try:
            getattr(ctx.project, name)
        except AttributeError:
            missing.append(name)
    return missing


def not_available(missing: list[str]) -> str:
    return f"not yet available: pending contracts ({', '.join(missing)} not in the project)"


def pending_until_wired(ctx: BenchContext, keys: tuple[str, ...], required: tuple[str, ...],
                        where: str) -> list[Outcome]:
    """Keys whose measurement waits for contracts: names the missing ones, or, once they are
    compiled, the function the measurement goes into. Never a number."""
    missing = missing_types(ctx, *required)
    if missing:
        return pending_all(keys, not_available(missing))
    return pending_all(keys, f"pending contracts: {', '.join(required)} compiled, measurement not wired "
                             f"in yet ({where})")


# How the bench fills SecurityToken's constructor, by parameter name. A constructor parameter
# not listed here stops the run with a message naming it, instead of a guessed value.
def _token_constructor_values(registry: Any, issuer: Any) -> dict[str, Any]:
    by_role = {
        ("name", "name_"): "Kabuto bench bond",
        ("symbol", "symbol_"): "KBB",
        ("category", "category_"): CATEGORY_CLASS1,
        ("kind", "kind_"): KIND_BOND,
        ("registry", "registry_"): registry,
        ("admin", "admin_", "issuer", "issuer_", "owner", "owner_"): issuer,
    }
    return {name: value for names, value in by_role.items() for name in names}


def deploy_with_named_args(container: Any, values: dict[str, Any], sender: Any, where: str) -> Any:
    """Deploys ``container`` filling each constructor parameter from ``values`` by name."""
    constructor = container.contract_type.constructor
    args = []
    for parameter in constructor.inputs:
        if parameter.name not in values:
            raise BenchError(
                f"{container.contract_type.name}'s constructor takes `{parameter.name}` "
                f"({parameter.type}), which the bench cannot fill: add it in {where}"
            )
        args.append(values[parameter.name])
    return container.deploy(*args, sender=sender)


def _grant(contract: Any, role_getter: str, account: Any, admin: Any) -> None:
    """Grants an AccessControl role named by its getter (e.g. ``AGENT_ROLE``) unless held."""
    role = getattr(contract, role_getter)()
    if not contract.hasRole(role, account):
        contract.grantRole(role, account, sender=admin)


@dataclass
class Platform:
    """The deployed registry and token with the accounts playing each role."""

    registry: Any
    token: Any
    issuer: Any  # token admin and agent
    registrar: Any
    next_investor: int = 0

    def investor_id(self) -> bytes:
        self.next_investor += 1
        return keccak(text=f"kabuto.bench.investor.{self.next_investor}")

    def onboard(self, ctx: BenchContext, wallet: Any, with_personal_data: bool = False) -> list[Any]:
        """Registers ``wallet`` as a general investor; optionally stores its encrypted data."""
        investor_id = self.investor_id()
        expiry = int(time.time()) + KYC_VALIDITY_S
        receipts = [
            self.registry.registerInvestor(
                investor_id, wallet, CLASS_GENERAL, COUNTRY_JAPAN, expiry, sender=self.registrar
            )
        ]
        if with_personal_data:
            ciphertext = os.urandom(CIPHERTEXT_BYTES)
            receipts.append(self.registry.setPersonalData(investor_id, self.issuer, ciphertext, sender=self.registrar))
        expect(self.registry.isEligible(wallet), f"Kabuto registry does not find {wallet} eligible")
        return receipts


def deploy_platform(ctx: BenchContext) -> Platform:
    """Registry + one Class 1 bond token with cap and class rules on, roles granted."""
    issuer, registrar = ctx.role(0), ctx.role(1)
    registry = getattr(ctx.project, REGISTRY).deploy(issuer, sender=issuer)
    _grant(registry, "REGISTRAR_ROLE", registrar, issuer)
    registry.setIssuerKey(issuer, os.urandom(270), sender=issuer)  # an RSA-2048 public key, DER
    values = _token_constructor_values(registry, issuer)
    token = deploy_with_named_args(
        getattr(ctx.project, TOKEN), values, issuer, "kabuto/bench/peers/kabuto.py _token_constructor_values"
    )
    for role in ("AGENT_ROLE", "COMPLIANCE_ROLE"):
        if hasattr(token, role):
            _grant(token, role, issuer, issuer)
    token.setRules(GAS_RULES, sender=issuer)
    return Platform(registry, token, issuer, registrar)


def measure_token(ctx: BenchContext) -> list[Outcome]:
    """Every single-token operation once, on a token that already has supply and holders."""
    platform = deploy_platform(ctx)
    token, agent = platform.token, platform.issuer
    alice, bob, charlie, dave, erin = (ctx.new_investor() for _ in range(5))
    platform.onboard(ctx, alice)
    onboarding = platform.onboard(ctx, bob, with_personal_data=True)
    for wallet in (charlie, dave, erin):
        platform.onboard(ctx, wallet)
    token.issue(alice, 100 * AMOUNT, b"", sender=agent)  # the first issue also creates the supply

    new_holder = token.transfer(bob, AMOUNT, sender=alice)
    existing_holder = token.transfer(bob, AMOUNT, sender=alice)
    issue = token.issue(charlie, AMOUNT, b"", sender=agent)
    forced = token.forcedTransfer(alice, dave, AMOUNT, REASON_COURT_ORDER, b"", sender=agent)
    applied = token.applyForTransfer(erin, AMOUNT, b"", sender=alice)
    application_id = applied.events.filter(token.TransferApplied)[0].id
    approved = token.approveTransfer(application_id, b"", sender=agent)
    for wallet in (bob, charlie, dave, erin):
        expect(token.balanceOf(wallet) > 0, f"Kabuto operation to {wallet} did not arrive")
    return [
        gas_of("kabuto.transfer.new_holder", [new_holder]),
        gas_of("kabuto.transfer.existing_holder", [existing_holder]),
        gas_of("kabuto.issue.new_holder", [issue]),
        gas_of("kabuto.forced_transfer.new_holder", [forced]),
        gas_of(
            "kabuto.onboard_investor", onboarding,
            note=f"registerInvestor + setPersonalData ({CIPHERTEXT_BYTES}-byte RSA-2048 ciphertext)",
        ),
        gas_of("kabuto.approved_transfer.total", [applied, approved], note="apply + approve, new holder"),
    ]


def measure_settlement(ctx: BenchContext) -> list[Outcome]:
    """DvP and venue batch: pending until the settlement contracts are in the project."""
    return pending_until_wired(
        ctx, SETTLEMENT_KEYS, (REGISTRY, TOKEN, COIN, DVP, BATCH),
        "kabuto/bench/peers/kabuto.py measure_settlement",
    )


def measure(ctx: BenchContext) -> list[Outcome]:
    missing = missing_types(ctx, REGISTRY, TOKEN)
    token_outcomes = pending_all(TOKEN_KEYS, not_available(missing)) if missing else measure_token(ctx)
    return token_outcomes + measure_settlement(ctx)


PEER = Peer(name="kabuto", title="Kabuto", keys=KEYS, measure=measure)
