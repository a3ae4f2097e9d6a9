"""Contracts of peers that come as compiled npm artifacts (ABI + bytecode), not compiled here."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ape.contracts import ContractContainer, ContractInstance
from ethpm_types import ContractType

from kabuto.bench.model import BenchError
from kabuto.environment import PROJECT_ROOT

TREX_PACKAGE = PROJECT_ROOT / "node_modules" / "@tokenysolutions" / "t-rex"
# ONCHAINID's own package, when installed, supplies the investor identities instead of the copy
# bundled with T-REX: its Identity is the build T-REX's published gas figures were taken with,
# and it carries the IdentityProxy that T-REX's artifacts lack.
ONCHAINID_PACKAGE = PROJECT_ROOT / "node_modules" / "@onchain-id" / "solidity"
ONCHAINID_ARTIFACTS = {
    "Identity": "artifacts/contracts/Identity.sol/Identity.json",
    "ImplementationAuthority": "artifacts/contracts/proxy/ImplementationAuthority.sol/ImplementationAuthority.json",
    "IdentityProxy": "artifacts/contracts/proxy/IdentityProxy.sol/IdentityProxy.json",
}
_ONCHAINID = "artifacts/@onchain-id/solidity/contracts"
_TREX = "artifacts/contracts"

# T-REX 4.1.6 and the ONCHAINID contracts it ships, by contract name.
TREX_ARTIFACTS = {
    "Token": f"{_TREX}/token/Token.sol/Token.json",
    "ClaimTopicsRegistry": f"{_TREX}/registry/implementation/ClaimTopicsRegistry.sol/ClaimTopicsRegistry.json",
    "TrustedIssuersRegistry": f"{_TREX}/registry/implementation/TrustedIssuersRegistry.sol/TrustedIssuersRegistry.json",
    "IdentityRegistryStorage": f"{_TREX}/registry/implementation/IdentityRegistryStorage.sol/IdentityRegistryStorage.json",
    "IdentityRegistry": f"{_TREX}/registry/implementation/IdentityRegistry.sol/IdentityRegistry.json",
    "ModularCompliance": f"{_TREX}/compliance/modular/ModularCompliance.sol/ModularCompliance.json",
    "TREXImplementationAuthority": f"{_TREX}/proxy/authority/TREXImplementationAuthority.sol/TREXImplementationAuthority.json",
    "ClaimTopicsRegistryProxy": f"{_TREX}/proxy/ClaimTopicsRegistryProxy.sol/ClaimTopicsRegistryProxy.json",
    "TrustedIssuersRegistryProxy": f"{_TREX}/proxy/TrustedIssuersRegistryProxy.sol/TrustedIssuersRegistryProxy.json",
    "IdentityRegistryStorageProxy": f"{_TREX}/proxy/IdentityRegistryStorageProxy.sol/IdentityRegistryStorageProxy.json",
    "IdentityRegistryProxy": f"{_TREX}/proxy/IdentityRegistryProxy.sol/IdentityRegistryProxy.json",
    "ModularComplianceProxy": f"{_TREX}/proxy/ModularComplianceProxy.sol/ModularComplianceProxy.json",
    "TokenProxy": f"{_TREX}/proxy/TokenProxy.sol/TokenProxy.json",
    "Identity": f"{_ONCHAINID}/Identity.sol/Identity.json",
    "ClaimIssuer": f"{_ONCHAINID}/ClaimIssuer.sol/ClaimIssuer.json",
    "ImplementationAuthority": f"{_ONCHAINID}/proxy/ImplementationAuthority.sol/ImplementationAuthority.json",
}


def trex_version() -> str:
    """The version of the installed T-REX package (the benchmark expects 4.1.6)."""
    package = TREX_PACKAGE / "package.json"
    if not package.exists():
        raise BenchError(f"T-REX artifacts not found at {TREX_PACKAGE}: run `make setup` (npm ci)")
    return str(json.loads(package.read_text())["version"])


def onchainid_version() -> str | None:
    """The version of ``@onchain-id/solidity`` in node_modules, or None when not installed."""
    package = ONCHAINID_PACKAGE / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.exists() else None


@cache
def trex_contract_type(name: str) -> ContractType:
    """The ABI and bytecode of one T-REX/ONCHAINID contract from the npm artifacts."""
    if name in ONCHAINID_ARTIFACTS and onchainid_version() is not None:
        path = ONCHAINID_PACKAGE / ONCHAINID_ARTIFACTS[name]
    elif name in TREX_ARTIFACTS:
        path = TREX_PACKAGE / TREX_ARTIFACTS[name]
    else:
        known = ", ".join(sorted(TREX_ARTIFACTS))
        raise BenchError(
            f"unknown T-REX artifact {name!r} (or @onchain-id/solidity not installed); known: {known}"
        )
    if not path.exists():
        raise BenchError(f"T-REX artifact missing: {path}: run `make setup` (npm ci)")
    artifact = json.loads(path.read_text())
    if artifact.get("linkReferences"):
        raise BenchError(f"{path.name} needs library linking, which the benchmark does not do")
    return ContractType.model_validate(
        {
            "contractName": artifact["contractName"],
            "sourceId": artifact.get("sourceName"),
            "abi": artifact["abi"],
            "deploymentBytecode": {"bytecode": artifact["bytecode"]},
            "runtimeBytecode": {"bytecode": artifact["deployedBytecode"]},
        }
    )


def trex_container(name: str) -> ContractContainer:
    """A deployable container for a T-REX/ONCHAINID contract."""
    return ContractContainer(trex_contract_type(name))


def trex_at(name: str, address: Any) -> ContractInstance:
    """The contract at ``address`` (typically a proxy) seen through ``name``'s ABI."""
    return ContractInstance(str(address), contract_type=trex_contract_type(name))
