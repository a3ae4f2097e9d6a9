"""Settlement on the real platform: investor registry, security tokens and the yen coin.

Roles: `admin` deploys and administers everything, `agent` is the issuer's agent (and the
token's compliance officer), `bank` mints yen, `seller` / `buyer` / `carol` / `dave` are
registered investors, `venue_agent` submits a venue's batches, `outsider` holds nothing.
"""

from collections.abc import Callable

import pytest
from eth_abi import encode
from settlement_support import (
    DAY,
    LOCKED_FOR_VENUE,
    UNITS_START,
    VENUE_ALLOWANCE,
    YEN_START,
)

from kabuto.onchain_types import Category, InvestorClass, Kind, Rules
from kabuto.signing import Eip712Domain, Permit, sign_typed


@pytest.fixture(scope="session")
def admin(deployer):
    return deployer


@pytest.fixture(scope="session")
def agent(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bank(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def seller(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def buyer(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def dave(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def venue_agent(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def unregistered(accounts):
    """A wallet with yen but no investor record."""
    return accounts[8]


@pytest.fixture(scope="module")
def registry(project, admin, chain, seller, buyer, carol, dave):
    """The real investor registry: seller, buyer and carol general investors, dave a QII."""
    registry = project.InvestorRegistry.deploy(admin, sender=admin)
    registry.grantRole(registry.REGISTRAR_ROLE(), admin, sender=admin)
    kyc_expiry = chain.pending_timestamp + 365 * DAY
    for number, (wallet, cls) in enumerate(
        (
            (seller, InvestorClass.QUALIFIED_INSTITUTIONAL),
            (buyer, InvestorClass.QUALIFIED_INSTITUTIONAL),
            (carol, InvestorClass.GENERAL),
            (dave, InvestorClass.QUALIFIED_INSTITUTIONAL),
        ),
        start=1,
    ):
        registry.registerInvestor(
            number.to_bytes(32, "big"), wallet, int(cls), 392, kyc_expiry, sender=admin
        )
    return registry


@pytest.fixture(scope="module")
def coin(project, admin, bank, registry, seller, buyer, carol, dave, unregistered):
    """The real yen coin, open mode (eligibility off), every party holding yen."""
    coin = project.YenCoin.deploy("Kabuto Trust Yen", "KJPY", admin, registry, sender=admin)
    for role in (coin.MASTER_MINTER_ROLE(), coin.PAUSER_ROLE(), coin.BLOCKLISTER_ROLE()):
        coin.grantRole(role, admin, sender=admin)
    coin.configureMinter(bank, 10**12, sender=admin)
    for wallet in (seller, buyer, carol, dave, unregistered):
        coin.mint(wallet, YEN_START, sender=bank)
    return coin


@pytest.fixture(scope="module")
def dvp(project, admin, coin, registry):
    return project.DvPSettlement.deploy(coin, registry, sender=admin)


@pytest.fixture(scope="module")
def deploy_token(project, admin, agent, registry, dvp, seller):
    """Factory: a security token with `agent` as issuer agent and compliance officer, the DvP
    contract authorised as a lock address carrying approval, and `seller` holding units."""

    def deploy(
        category: Category = Category.CLASS1,
        rules: Rules = Rules(),
        holders=None,
        symbol: str = "SBD",
    ):
        token = project.SecurityToken.deploy(
            f"{symbol} bond",
            symbol,
            int(category),
            int(Kind.BOND),
            registry,
            admin,
            rules.as_tuple(),
            b"",
            sender=admin,
        )
        token.grantRole(token.AGENT_ROLE(), agent, sender=admin)
        token.grantRole(token.COMPLIANCE_ROLE(), agent, sender=admin)
        token.setSettlementLockAddress(dvp, sender=admin)
        token.authorizeLockAddress(dvp, True, True, sender=admin)
        registry.setPlatformToken(token, True, sender=admin)
        for holder in holders if holders is not None else (seller,):
            token.issue(holder, UNITS_START, b"", sender=agent)
        return token

    return deploy


@pytest.fixture(scope="module")
def token(deploy_token):
    """A Class 1 bond open to every investor class, no approval needed."""
    return deploy_token()


@pytest.fixture(scope="module")
def instruct(dvp, chain) -> Callable:
    """`instruct(token, seller, buyer, quantity, amount, expiry=None, salt=1)`: the seller's lock
    carrying the instruction. Returns (instruction tuple, instruction id, receipt)."""

    def _instruct(token, seller, buyer, quantity, amount, expiry=None, salt=1):
        expiry = expiry if expiry is not None else chain.pending_timestamp + DAY
        salt_bytes = salt.to_bytes(32, "big")
        data = encode(
            ["address", "uint256", "uint40", "bytes32"], [buyer.address, amount, expiry, salt_bytes]
        )
        receipt = token.lock(dvp, quantity, data, sender=seller)
        instruction = (
            token.address,
            seller.address,
            buyer.address,
            quantity,
            amount,
            expiry,
            salt_bytes,
        )
        return instruction, dvp.instructionId(instruction), receipt

    return _instruct


@pytest.fixture(scope="module")
def sign_permit(coin) -> Callable:
    """`sign_permit(owner, spender, value, deadline)` -> (v, r, s) for the coin's EIP-2612 permit."""
    domain = Eip712Domain.from_eip5267(coin.eip712Domain())

    def _sign(owner, spender, value, deadline):
        message = Permit(owner.address, spender.address, value, coin.nonces(owner), deadline)
        sig = sign_typed(owner.private_key, domain, message)
        return sig.v, sig.r, sig.s

    return _sign


@pytest.fixture(scope="module")
def venue(project, admin, coin, registry, venue_agent):
    """A venue's batch settlement contract with `venue_agent` as its settlement agent."""
    venue = project.BatchSettlement.deploy(coin, registry, admin, sender=admin)
    venue.grantRole(venue.AGENT_ROLE(), venue_agent, sender=admin)
    return venue


@pytest.fixture(scope="module")
def venue_market(deploy_token, venue, coin, admin, seller, buyer, carol, dave):
    """Two securities every participant holds, locked in part to the venue, and standing yen
    allowances to the venue: what participants do before trading on a PTS."""
    participants = (seller, buyer, carol, dave)
    tokens = [deploy_token(holders=participants, symbol=s) for s in ("PTA", "PTB")]
    for token in tokens:
        token.authorizeLockAddress(venue, True, False, sender=admin)
        for wallet in participants:
            token.lock(venue, LOCKED_FOR_VENUE, b"", sender=wallet)
    for wallet in participants:
        coin.approve(venue, VENUE_ALLOWANCE, sender=wallet)
    return tokens
