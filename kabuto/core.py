"""Deploy and populate the platform core (investor registry + security token) directly,
without a manifest: the tests (through ``tests/fixtures/platform.py``) and the benchmark build
the same platform the same way:

    registry = deploy_registry(admin, registrar)
    onboard(registry, registrar, wallet, cls=InvestorClass.QUALIFIED_INSTITUTIONAL)
    token = deploy_token(issuer, registry, category=Category.CLASS1, rules=Rules(holder_cap=49),
                         terms=BondTerms(...), agent=agent, compliance=compliance)
"""

from __future__ import annotations

from typing import Any

from ape import chain, project
from eth_utils import keccak

from kabuto.onchain_types import (
    PROFESSIONAL_CLASSES,
    BeneficiaryTerms,
    BondTerms,
    Category,
    InvestorClass,
    Kind,
    Rules,
)

JAPAN = 392
YEAR = 365 * 24 * 3600

REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
AGENT_ROLE = keccak(text="AGENT_ROLE")
COMPLIANCE_ROLE = keccak(text="COMPLIANCE_ROLE")


def investor_id_for(wallet: Any) -> bytes:
    """A deterministic investor id for a test wallet (real ids come from the registrar's books)."""
    return keccak(text=f"investor:{str(wallet).lower()}")


def deploy_registry(admin: Any, registrar: Any | None = None) -> Any:
    """An InvestorRegistry administered by `admin`, with `registrar` (default: admin) as registrar."""
    registry = project.InvestorRegistry.deploy(admin, sender=admin)
    registry.grantRole(REGISTRAR_ROLE, registrar or admin, sender=admin)
    return registry


def onboard(
    registry: Any,
    registrar: Any,
    wallet: Any,
    cls: InvestorClass = InvestorClass.GENERAL,
    country: int = JAPAN,
    kyc_expiry: int | None = None,
    investor_id: bytes | None = None,
) -> bytes:
    """Registers `wallet` as an active investor (KYC valid for a year by default); returns its id."""
    investor_id = investor_id or investor_id_for(wallet)
    if kyc_expiry is None:
        kyc_expiry = chain.pending_timestamp + YEAR
    registry.registerInvestor(investor_id, wallet, int(cls), country, kyc_expiry, sender=registrar)
    return investor_id


def deploy_token(
    admin: Any,
    registry: Any,
    *,
    category: Category = Category.CLASS1,
    kind: Kind = Kind.BOND,
    rules: Rules | None = None,
    terms: BondTerms | BeneficiaryTerms | None = None,
    agent: Any | None = None,
    compliance: Any | None = None,
    name: str = "Kabuto Bond",
    symbol: str = "KBND",
    platform_admin: Any | None = None,
) -> Any:
    """A SecurityToken administered by `admin`; `agent` / `compliance` get those roles if given;
    listed as a platform token by `platform_admin` (the registry's admin) if given.

    Raises:
        ValueError: `terms` do not match `kind`.
    """
    if terms is not None and isinstance(terms, BondTerms) != (kind == Kind.BOND):
        raise ValueError(f"terms {type(terms).__name__} do not fit a token of kind {kind.name}")
    rules = rules or _default_rules(category)
    token = project.SecurityToken.deploy(
        name,
        symbol,
        int(category),
        int(kind),
        registry,
        admin,
        rules.as_tuple(),
        terms.encode() if terms is not None else b"",
        sender=admin,
    )
    if agent is not None:
        token.grantRole(AGENT_ROLE, agent, sender=admin)
    if compliance is not None:
        token.grantRole(COMPLIANCE_ROLE, compliance, sender=admin)
    if platform_admin is not None:
        registry.setPlatformToken(token, True, sender=platform_admin)
    return token


def _default_rules(category: Category) -> Rules:
    if category == Category.EXCLUDED_CLASS2:
        return Rules(allowed_classes=PROFESSIONAL_CLASSES, approval_required=True)
    return Rules()
