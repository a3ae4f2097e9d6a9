"""The yen coin with every role held by its own account, and helpers to sign for it."""

from collections.abc import Callable

import pytest
from yen_support import ALICE_START, BANK_MINT_ALLOWANCE, BOB_START, ZERO_ADDRESS

from kabuto.signing import Eip712Domain, Signature, TypedMessage, sign_typed


@pytest.fixture(scope="session")
def admin(deployer):
    """DEFAULT_ADMIN_ROLE: hands out roles, sets registry, eligibility mode and system accounts."""
    return deployer


@pytest.fixture(scope="session")
def master_minter(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bank(accounts):
    """The trust bank's minter and treasury wallet."""
    return accounts[2]


@pytest.fixture(scope="session")
def pauser(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def blocklister(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def seizer(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def rescuer(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[8]


@pytest.fixture(scope="session")
def role_holders(admin, master_minter, bank, pauser, blocklister, seizer, rescuer):
    """Every account holding a power, by the name of that power."""
    return {
        "admin": admin,
        "master_minter": master_minter,
        "minter": bank,
        "pauser": pauser,
        "blocklister": blocklister,
        "seizer": seizer,
        "rescuer": rescuer,
    }


@pytest.fixture(scope="module")
def registry(project, admin, role_holders, alice, bob, outsider):
    """A test-only registry answering `isEligible` from a list (the coin calls nothing else)."""
    # Every session fixture is requested here, before anything is deployed: Ape then snapshots
    # the chain once per module instead of rebasing when a test asks for one later.
    return project.EligibilityListRegistry.deploy(sender=admin)


@pytest.fixture(scope="module")
def deploy_coin(project, admin, master_minter, bank, pauser, blocklister, seizer, rescuer):
    """Factory: a YenCoin with every role granted and the bank configured as minter."""

    def deploy(registry=None, name: str = "Kabuto Trust Yen", symbol: str = "KJPY"):
        registry_address = registry.address if registry is not None else ZERO_ADDRESS
        coin = project.YenCoin.deploy(name, symbol, admin, registry_address, sender=admin)
        for role, holder in (
            (coin.MASTER_MINTER_ROLE(), master_minter),
            (coin.PAUSER_ROLE(), pauser),
            (coin.BLOCKLISTER_ROLE(), blocklister),
            (coin.SEIZER_ROLE(), seizer),
            (coin.RESCUER_ROLE(), rescuer),
        ):
            coin.grantRole(role, holder, sender=admin)
        coin.configureMinter(bank, BANK_MINT_ALLOWANCE, sender=master_minter)
        return coin

    return deploy


@pytest.fixture(scope="module")
def coin(deploy_coin, registry, bank, alice, bob):
    """The coin in open mode (registry set, eligibility off), Alice and Bob already holding yen."""
    coin = deploy_coin(registry)
    coin.mint(alice, ALICE_START, sender=bank)
    coin.mint(bob, BOB_START, sender=bank)
    return coin


@pytest.fixture(scope="module")
def domain(coin):
    return Eip712Domain.from_eip5267(coin.eip712Domain())


@pytest.fixture(scope="module")
def sign(domain) -> Callable[[object, TypedMessage], Signature]:
    """Factory: `sign(account, message)` with the account's key, via eth-account typed-data signing."""

    def _sign(account, message: TypedMessage) -> Signature:
        return sign_typed(account.private_key, domain, message)

    return _sign
