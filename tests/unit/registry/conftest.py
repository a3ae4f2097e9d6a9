"""Accounts by role for the investor-registry tests."""

import pytest
from fixtures.platform import deploy_registry


@pytest.fixture(scope="session")
def admin(accounts):
    """Registry admin: grants the registrar role."""
    return accounts[0]


@pytest.fixture(scope="session")
def registrar(accounts):
    """A securities firm doing KYC."""
    return accounts[1]


@pytest.fixture(scope="session")
def issuer(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[5]


@pytest.fixture
def registry(admin, registrar):
    return deploy_registry(admin, registrar)
