"""Accounts named by the role they play on the platform, shared by every test."""

import pytest


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def outsider(accounts):
    """An account that holds no role anywhere."""
    return accounts[9]
