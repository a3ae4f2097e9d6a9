"""Accounts by role and factories for the security-token tests."""

import pytest
from fixtures.platform import deploy_registry, deploy_token, onboard

from kabuto.onchain_types import Category, InvestorClass, Kind, Rules


@pytest.fixture(scope="session")
def registrar(accounts):
    """Registry admin and registrar (a securities firm doing KYC)."""
    return accounts[0]


@pytest.fixture(scope="session")
def issuer(accounts):
    """The issuer's admin: DEFAULT_ADMIN_ROLE on its tokens (rules, lock addresses, documents)."""
    return accounts[1]


@pytest.fixture(scope="session")
def agent(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def compliance(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def dave(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def venue(accounts):
    """A trading venue / escrow the issuer may authorise as a lock address."""
    return accounts[8]


@pytest.fixture
def registry(registrar):
    return deploy_registry(registrar)


@pytest.fixture
def enroll(registry, registrar):
    """enroll(wallet, cls=GENERAL, **kw): registers `wallet` as an active investor."""

    def _enroll(wallet, cls=InvestorClass.GENERAL, **kwargs):
        return onboard(registry, registrar, wallet, cls=cls, **kwargs)

    return _enroll


@pytest.fixture
def make_token(issuer, agent, compliance, registry):
    """make_token(category=CLASS1, rules=Rules(), kind=BOND, terms=None): a token with roles set."""

    def _make(category=Category.CLASS1, rules=None, kind=Kind.BOND, terms=None):
        return deploy_token(
            issuer,
            registry,
            category=category,
            kind=kind,
            rules=rules,
            terms=terms,
            agent=agent,
            compliance=compliance,
        )

    return _make


@pytest.fixture
def investors(enroll, alice, bob, carol, dave):
    """alice, bob, carol and dave registered as general investors."""
    for wallet in (alice, bob, carol, dave):
        enroll(wallet)
    return alice, bob, carol, dave


@pytest.fixture
def token(make_token, investors):
    """A Class 1 bond with no restrictive rules and registered investors."""
    return make_token(rules=Rules())
