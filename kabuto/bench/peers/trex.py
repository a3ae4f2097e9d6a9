"""ERC-3643 T-REX 4.1.6 from its npm artifacts, deployed as T-REX deploys itself.

The sequence follows T-REX's own test fixture (deploy-full-suite): implementations behind a
TREXImplementationAuthority and one proxy per contract, ModularCompliance without modules,
an ONCHAINID ClaimIssuer trusted for one claim topic, and per investor an ONCHAINID identity
(a proxy on a shared Identity implementation) holding a claim signed by the issuer's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from kabuto.bench.artifacts import onchainid_version, trex_at, trex_container, trex_version
from kabuto.bench.context import BenchContext, expect, gas_of
from kabuto.bench.model import BenchError, Outcome
from kabuto.bench.registry import Peer

KEYS = (
    "trex.transfer.new_holder",
    "trex.transfer.existing_holder",
    "trex.issue.new_holder",
    "trex.forced_transfer.new_holder",
    "trex.onboard_investor",
)

# What T-REX's own fixture uses, so the claim costs what it costs there.
CLAIM_TOPIC = int.from_bytes(keccak(text="CLAIM_TOPIC"), "big")
CLAIM_DATA = b"Some claim public data."
CLAIM_SCHEME_ECDSA = 1
KEY_PURPOSE_CLAIM = 3
KEY_TYPE_ECDSA = 1
COUNTRY_JAPAN = 392
AMOUNT = 100


@dataclass
class TrexSuite:
    """One deployed T-REX token with its registries and the KYC claim issuer."""

    token: Any
    identity_registry: Any
    identity_authority: Any
    claim_issuer: Any
    claim_signer: Any  # eth_account LocalAccount holding the issuer's claim key
    owner: Any
    agent: Any


def _proxied(ctx: BenchContext, proxy: str, logic: str, owner: Any, *args: Any) -> Any:
    deployed = trex_container(proxy).deploy(*args, sender=owner)
    return trex_at(logic, deployed.address)


def identity_source() -> str:
    """Which ONCHAINID build the investor identities come from (reported with the results)."""
    version = onchainid_version()
    if version is None:
        return "ONCHAINID Identity bundled with T-REX 4.1.6, behind contracts/testing/BenchIdentityProxy.sol"
    return f"ONCHAINID {version} (@onchain-id/solidity): Identity and IdentityProxy"


def _deploy_identity(ctx: BenchContext, authority: Any, management_key: Any, sender: Any) -> Any:
    """An ONCHAINID identity proxy; ONCHAINID's own IdentityProxy when that package is installed."""
    if onchainid_version() is None:
        return ctx.project.BenchIdentityProxy.deploy(authority, management_key, sender=sender)
    return trex_container("IdentityProxy").deploy(authority, management_key, sender=sender)


def _key_of(address: str) -> bytes:
    """ONCHAINID's key id for an address: keccak256(abi.encode(address))."""
    return keccak(encode(["address"], [address]))


def deploy_suite(ctx: BenchContext) -> TrexSuite:
    """Deploys T-REX with proxies, no compliance modules, one trusted KYC claim issuer."""
    owner, agent, issuer_admin = ctx.role(0), ctx.role(1), ctx.role(2)
    identity_logic = trex_container("Identity").deploy(owner, True, sender=owner)
    identity_authority = trex_container("ImplementationAuthority").deploy(
        identity_logic, sender=owner
    )

    implementations = [
        trex_container(name).deploy(sender=owner)
        for name in (
            "Token",
            "ClaimTopicsRegistry",
            "IdentityRegistry",
            "IdentityRegistryStorage",
            "TrustedIssuersRegistry",
            "ModularCompliance",
        )
    ]
    authority = trex_container("TREXImplementationAuthority").deploy(
        True, "0x" + "00" * 20, "0x" + "00" * 20, sender=owner
    )
    authority.addAndUseTREXVersion(
        (4, 1, 6), tuple(c.address for c in implementations), sender=owner
    )

    topics = _proxied(ctx, "ClaimTopicsRegistryProxy", "ClaimTopicsRegistry", owner, authority)
    issuers = _proxied(
        ctx, "TrustedIssuersRegistryProxy", "TrustedIssuersRegistry", owner, authority
    )
    storage = _proxied(
        ctx, "IdentityRegistryStorageProxy", "IdentityRegistryStorage", owner, authority
    )
    compliance = _proxied(ctx, "ModularComplianceProxy", "ModularCompliance", owner, authority)
    registry = _proxied(
        ctx, "IdentityRegistryProxy", "IdentityRegistry", owner, authority, issuers, topics, storage
    )
    token_identity = _deploy_identity(ctx, identity_authority, owner, owner)
    token = _proxied(
        ctx,
        "TokenProxy",
        "Token",
        owner,
        authority,
        registry,
        compliance,
        "Bench bond",
        "TRX",
        0,
        token_identity,
    )
    storage.bindIdentityRegistry(registry, sender=owner)
    token.addAgent(agent, sender=owner)
    registry.addAgent(agent, sender=owner)
    registry.addAgent(token, sender=owner)

    claim_signer = Account.create()
    claim_issuer = trex_container("ClaimIssuer").deploy(issuer_admin, sender=issuer_admin)
    claim_issuer.addKey(
        _key_of(claim_signer.address), KEY_PURPOSE_CLAIM, KEY_TYPE_ECDSA, sender=issuer_admin
    )
    topics.addClaimTopic(CLAIM_TOPIC, sender=owner)
    issuers.addTrustedIssuer(claim_issuer, [CLAIM_TOPIC], sender=owner)
    token.unpause(sender=agent)
    return TrexSuite(token, registry, identity_authority, claim_issuer, claim_signer, owner, agent)


def onboard(ctx: BenchContext, suite: TrexSuite, wallet: Any) -> list[Any]:
    """Gives ``wallet`` an ONCHAINID with a signed KYC claim and registers it: 3 transactions.

    Returns:
        the receipts: identity deployment (by the agent), claim added (by the investor, the
        identity's management key), identity registered (by the agent).
    """
    identity = _deploy_identity(ctx, suite.identity_authority, wallet, suite.agent)
    digest = keccak(
        encode(["address", "uint256", "bytes"], [identity.address, CLAIM_TOPIC, CLAIM_DATA])
    )
    signature = suite.claim_signer.sign_message(encode_defunct(primitive=digest)).signature
    as_identity = trex_at("Identity", identity.address)
    claim = as_identity.addClaim(
        CLAIM_TOPIC,
        CLAIM_SCHEME_ECDSA,
        suite.claim_issuer,
        signature,
        CLAIM_DATA,
        "",
        sender=wallet,
    )
    registered = suite.identity_registry.registerIdentity(
        wallet, identity, COUNTRY_JAPAN, sender=suite.agent
    )
    expect(
        suite.identity_registry.isVerified(wallet),
        f"T-REX did not verify onboarded {wallet.address}",
    )
    return [ctx.deployment_receipt(identity), claim, registered]


def measure(ctx: BenchContext) -> list[Outcome]:
    """Onboards four investors and measures each operation once, on a token with supply."""
    version = trex_version()
    if version != "4.1.6":
        raise BenchError(
            f"the benchmark measures T-REX 4.1.6; node_modules has {version}: run `make setup`"
        )
    suite = deploy_suite(ctx)
    token, agent = suite.token, suite.agent
    alice, bob, charlie, dave = (ctx.new_investor() for _ in range(4))
    onboard(ctx, suite, alice)
    onboarding = onboard(ctx, suite, bob)
    onboard(ctx, suite, charlie)
    onboard(ctx, suite, dave)
    token.mint(alice, 10 * AMOUNT, sender=agent)  # the first mint also creates the supply

    new_holder = token.transfer(bob, AMOUNT, sender=alice)
    existing_holder = token.transfer(bob, AMOUNT, sender=alice)
    mint = token.mint(charlie, AMOUNT, sender=agent)
    forced = token.forcedTransfer(alice, dave, AMOUNT, sender=agent)
    expect(token.balanceOf(bob) == 2 * AMOUNT, "T-REX transfers did not arrive")
    expect(
        token.balanceOf(charlie) == AMOUNT and token.balanceOf(dave) == AMOUNT,
        "T-REX mint/forced failed",
    )
    return [
        gas_of("trex.transfer.new_holder", [new_holder]),
        gas_of("trex.transfer.existing_holder", [existing_holder]),
        gas_of("trex.issue.new_holder", [mint], note="mint by the agent; supply already non-zero"),
        gas_of("trex.forced_transfer.new_holder", [forced]),
        gas_of(
            "trex.onboard_investor",
            onboarding,
            note=f"3 txs: identity deployed, KYC claim added, identity registered; {identity_source()}",
        ),
    ]


PEER = Peer(name="trex", title="ERC-3643 T-REX 4.1.6", keys=KEYS, measure=measure)
