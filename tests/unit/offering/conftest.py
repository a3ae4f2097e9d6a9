"""The platform (real registry, bond token, yen coin) and one PrimaryOffering, accounts by role.

Everything is deployed once per module; Ape rolls the chain back after every test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fixtures.platform import AGENT_ROLE, deploy_registry, deploy_token, investor_id_for, onboard
from offering_support import DAY, MAX_ALLOWANCE, UNIT_PRICE, YEN_PER_INVESTOR

from kabuto.onchain_types import (
    ZERO_ADDRESS,
    BeneficiaryTerms,
    BondTerms,
    InvestorClass,
    Kind,
    Rules,
    class_mask,
)


@pytest.fixture(scope="session")
def registrar(accounts):
    """Registry admin and registrar; also the yen coin's admin."""
    return accounts[0]


@pytest.fixture(scope="session")
def issuer(accounts):
    """The issuer: admin of the token, opens and runs its offerings."""
    return accounts[1]


@pytest.fixture(scope="session")
def bank(accounts):
    """The trust bank's yen minter."""
    return accounts[2]


@pytest.fixture(scope="session")
def proceeds(accounts):
    """The issuer's receiving account for subscription payments."""
    return accounts[3]


@pytest.fixture(scope="session")
def subscribers(accounts):
    """alice, bob, carol, dave: registered general investors holding yen."""
    return tuple(accounts[4:8])


@pytest.fixture(scope="session")
def professional(accounts):
    """A registered investor in the 'specified' class (used where the token excludes it)."""
    return accounts[8]


@pytest.fixture(scope="session", autouse=True)
def _session_fixtures_first(registrar, issuer, bank, proceeds, subscribers, professional, outsider):
    """Session fixtures exist before anything is deployed: Ape then snapshots once per module."""


@pytest.fixture(scope="module")
def registry(registrar, subscribers, professional):
    registry = deploy_registry(registrar)
    for wallet in subscribers:
        onboard(registry, registrar, wallet, kyc_expiry=2**40 - 1)
    onboard(registry, registrar, professional, cls=InvestorClass.SPECIFIED, kyc_expiry=2**40 - 1)
    return registry


@pytest.fixture(scope="module")
def coin(project, registrar, bank, registry, subscribers, professional):
    """The yen coin (open mode); each investor holds YEN_PER_INVESTOR."""
    coin = project.YenCoin.deploy("Kabuto Trust Yen", "KJPY", registrar, registry, sender=registrar)
    coin.grantRole(coin.MASTER_MINTER_ROLE(), registrar, sender=registrar)
    coin.configureMinter(bank, 10**12, sender=registrar)
    for wallet in (*subscribers, professional):
        coin.mint(wallet, YEN_PER_INVESTOR, sender=bank)
    return coin


@pytest.fixture(scope="module")
def offering(project, registrar, registry):
    return project.PrimaryOffering.deploy(registry, sender=registrar)


@pytest.fixture(scope="module")
def make_token(issuer, registrar, registry, coin, offering):
    """make_token(kind=BOND, price=UNIT_PRICE, rules=None, agent=True): a Class 1 token whose term
    sheet names the yen coin; `agent` grants the offering contract AGENT_ROLE."""

    def _make(
        kind: Kind = Kind.BOND,
        price: int = UNIT_PRICE,
        rules: Rules | None = None,
        agent: bool = True,
    ):
        if kind == Kind.BOND:
            terms: Any = BondTerms(price, 3500, 2, 0, 2**39, price, payment_token=coin.address)
        else:
            terms = BeneficiaryTerms(price, payment_token=coin.address)
        token = deploy_token(
            issuer, registry, kind=kind, rules=rules, terms=terms, platform_admin=registrar
        )
        if agent:
            token.grantRole(AGENT_ROLE, offering, sender=issuer)
        return token

    return _make


@pytest.fixture(scope="module")
def token(make_token):
    """The bond on offer: general investors only (the 'specified' class is not allowed)."""
    return make_token(rules=Rules(allowed_classes=class_mask(InvestorClass.GENERAL)))


@pytest.fixture(scope="module")
def paying(coin, offering, subscribers, professional):
    """Every investor has approved the offering contract for its yen."""
    for wallet in (*subscribers, professional):
        coin.approve(offering, MAX_ALLOWANCE, sender=wallet)
    return coin


@pytest.fixture(scope="module")
def default_terms(token, proceeds, chain) -> Callable[..., dict[str, Any]]:
    """default_terms(**overrides) -> OfferingTerms as a dict: 10 units offered, 1 to 5 per
    investor, window open now for a day, price and payment token from the term sheet."""

    def _terms(**overrides: Any) -> dict[str, Any]:
        now = chain.pending_timestamp
        terms = {
            "token": token.address,
            "paymentToken": ZERO_ADDRESS,
            "proceedsAccount": proceeds.address,
            "pricePerUnit": 0,
            "offeredUnits": 10,
            "minUnits": 1,
            "maxUnits": 5,
            "start": now,
            "end": now + DAY,
        }
        terms.update(overrides)
        return terms

    return _terms


@pytest.fixture(scope="module")
def open_offering(offering, issuer, default_terms) -> Callable[..., int]:
    """open_offering(sender=issuer, **overrides) -> id of an offering opened with default_terms."""

    def _open(**overrides: Any) -> int:
        sender = overrides.pop("sender", issuer)
        receipt = offering.openOffering(default_terms(**overrides), sender=sender)
        return receipt.events.filter(offering.OfferingOpened)[0].offeringId

    return _open


@pytest.fixture
def ids(subscribers) -> tuple[bytes, ...]:
    """The registry investor ids of alice, bob, carol, dave."""
    return tuple(investor_id_for(w) for w in subscribers)
