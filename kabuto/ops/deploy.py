"""Deploying the platform: investor registry, yen coin, bilateral and venue settlement,
corporate actions, the roles of the named accounts and the issuer's key.

The registry is also the platform's token list: every settlement, offering and payment
contract is bound to it at deployment and deals only in the tokens it lists (`ape run issue`
lists each token it deploys). Every account and contract that holds yen for others (the paying
agent, the tax account, the venue's batch settlement, corporate actions) is a system account
of the coin from the start, so the coin's eligibility mode can be switched on at any time
(`--coin-eligibility`, or later) without stopping payments or settlement.

Resumable: every contract already in the manifest (with code on the chain) is kept, every
role already held is not granted again; the manifest is saved after each deployment, so a
run stopped at any point and run again completes the platform without deploying twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import chain

from kabuto.coupons import WITHHOLDING_BY_STATUS
from kabuto.crypto import DEFAULT_KEY_TYPE, KeyType, public_key_der
from kabuto.keys import DEFAULT_KEY_DIR, KeyFiles, create_key_files, load_public_key
from kabuto.manifest import DEFAULT_DIR, load_or_new, manifest_path, save_manifest
from kabuto.ops import roles
from kabuto.ops.accounts import account_for
from kabuto.ops.chain import CONTRACT_TYPES, Platform, deploy, has_code, send

YEN_NAME, YEN_SYMBOL = "Kabuto Yen", "JPYK"
MINTER_ALLOWANCE = 10**15  # yen the trust bank may mint before its allowance is renewed
# Withholding by tax status (IInvestorRegistry.TaxStatus order), in millionths: resident
# individuals 15.315% + 5%, corporations and non-residents 15.315%, exempt 0 (kabuto.coupons).
WITHHOLDING = tuple((w.national, w.local) for w in WITHHOLDING_BY_STATUS.values())


@dataclass(frozen=True)
class Operators:
    """The accounts that sign each role (see kabuto.ops.accounts)."""

    deployer: Any
    registrar: Any
    issuer: Any
    trust_bank: Any
    paying_agent: Any
    venue_agent: Any
    compliance: Any
    tax_account: Any

    @classmethod
    def resolve(cls, aliases: dict[str, str | None] | None = None) -> Operators:
        aliases = aliases or {}
        return cls(
            **{name: account_for(name, aliases.get(name)) for name in cls.__dataclass_fields__}
        )


@dataclass
class DeployReport:
    manifest_path: Path
    deployed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    roles_granted: list[str] = field(default_factory=list)
    key_files: KeyFiles | None = None
    key_created: bool = False
    system_accounts: list[str] = field(default_factory=list)
    eligibility_switched_on: bool = False


def _grant(
    contract: Any, role: bytes, account: Any, admin: Any, label: str, report: DeployReport
) -> None:
    if not contract.hasRole(role, account):
        send(contract.grantRole, role, account, sender=admin)
        report.roles_granted.append(label)


def deploy_platform(
    ops: Operators,
    directory: Path = DEFAULT_DIR,
    key_dir: Path = DEFAULT_KEY_DIR,
    echo: Callable[[str], None] = lambda _: None,
    key_type: KeyType = DEFAULT_KEY_TYPE,
    coin_eligibility: bool = False,
) -> DeployReport:
    """Deploys what the chain's manifest lacks, grants the roles, registers the issuer key;
    with `coin_eligibility`, switches the coin's eligibility mode on (see the module doc)."""
    chain_id = chain.chain_id
    path = manifest_path(chain_id, directory)
    manifest = load_or_new(chain_id, directory)
    report = DeployReport(path)
    stale = [symbol for symbol, entry in manifest.tokens.items() if not has_code(entry.address)]
    if stale:  # the chain was reset (e.g. a new local chain): those tokens are gone
        manifest = manifest.model_copy(
            update={"tokens": {s: e for s, e in manifest.tokens.items() if s not in stale}}
        )
        save_manifest(manifest, path)
        echo(f"  dropped from the manifest (no code on chain {chain_id}): {', '.join(stale)}")

    def ensure(name: str, *args: Any) -> Any:
        nonlocal manifest
        address = manifest.contracts.get(name)
        if address and has_code(address):
            report.kept.append(name)
            return Platform(manifest, directory).contract(name)
        contract = deploy(CONTRACT_TYPES[name], *args, sender=ops.deployer)
        manifest = manifest.with_contract(name, contract.address)
        save_manifest(manifest, path)
        report.deployed.append(name)
        echo(f"  deployed {name:<17} {contract.address}")
        return contract

    registry = ensure("InvestorRegistry", ops.deployer)
    _grant(
        registry,
        roles.REGISTRAR,
        ops.registrar,
        ops.deployer,
        "registry REGISTRAR -> registrar",
        report,
    )
    yen = ensure("YenCoin", YEN_NAME, YEN_SYMBOL, ops.trust_bank, registry)
    for role, label in (
        (roles.MASTER_MINTER, "MASTER_MINTER"),
        (roles.PAUSER, "PAUSER"),
        (roles.BLOCKLISTER, "BLOCKLISTER"),
        (roles.SEIZER, "SEIZER"),
        (roles.RESCUER, "RESCUER"),
    ):
        _grant(yen, role, ops.trust_bank, ops.trust_bank, f"yen {label} -> trust bank", report)
    if not yen.isMinter(ops.trust_bank):
        send(yen.configureMinter, ops.trust_bank, MINTER_ALLOWANCE, sender=ops.trust_bank)
        report.roles_granted.append("yen minter -> trust bank")
    ensure("Settlement", yen, registry)
    batch = ensure("BatchSettlement", yen, registry, ops.venue_agent)
    _grant(
        batch, roles.AGENT, ops.venue_agent, ops.venue_agent, "venue AGENT -> venue agent", report
    )
    corporate = ensure("CorporateActions", yen, registry, ops.deployer, ops.tax_account)
    if corporate.currentTaxSchedule() == 0:
        send(corporate.setWithholding, list(WITHHOLDING), sender=ops.deployer)
        report.roles_granted.append(
            "withholding schedule by tax status (individuals 15.315% + 5%, corporations and "
            "non-residents 15.315%, exempt 0)"
        )
    # One offering contract serves every primary offering; an issuer grants it AGENT_ROLE on
    # its token to run an offering (docs/offering.md).
    ensure("PrimaryOffering", registry)
    report.system_accounts = mark_system_accounts(
        yen,
        ops.trust_bank,
        {
            "paying agent": ops.paying_agent,
            "tax account": ops.tax_account,
            "BatchSettlement": batch,
            "CorporateActions": corporate,
        },
    )
    if coin_eligibility and not yen.eligibilityRequired():
        send(yen.setEligibilityRequired, True, sender=ops.trust_bank)
        report.eligibility_switched_on = True
    report.key_files, report.key_created = ensure_issuer_key(
        registry, ops.issuer, key_dir, key_type
    )
    return report


def mark_system_accounts(yen: Any, trust_bank: Any, holders: dict[str, Any]) -> list[str]:
    """Marks each of `holders` (label -> account or contract) a system account of the coin
    unless it is one: they hold yen for others (the paying agent funds payments, the tax account
    receives withholding, the contracts hold yen inside a transaction), which the coin's
    eligibility mode would otherwise refuse. Returns the labels marked now."""
    marked = []
    for label, holder in holders.items():
        if not yen.isSystemAccount(holder):
            send(yen.setSystemAccount, holder, True, sender=trust_bank)
            marked.append(label)
    return marked


def ensure_issuer_key(
    registry: Any,
    issuer: Any,
    key_dir: Path = DEFAULT_KEY_DIR,
    key_type: KeyType = DEFAULT_KEY_TYPE,
) -> tuple[KeyFiles, bool]:
    """The issuer's key pair in `key_dir` (created if absent, of `key_type`: X25519 unless the
    issuer needs RSA; an existing key is used whatever its type) and its public key in the
    registry (set by the issuer if the registry holds none or another). Returns the files and
    whether they were created now."""
    files = KeyFiles.for_issuer(str(issuer.address), key_dir)
    created = False
    if not files.private.exists():
        key = create_key_files(files, key_type=key_type)
        public = key.public_key()
        created = True
    else:
        public = load_public_key(files.public)
    der = public_key_der(public)
    if bytes(registry.issuerKeyOf(issuer)) != der:
        send(registry.setIssuerKey, issuer, der, sender=issuer)
    return files, created
