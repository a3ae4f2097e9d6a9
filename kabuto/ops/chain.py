"""The connected chain as the operator tooling sees it: the deployed platform (from the
manifest), transaction settings that work on gas-free chains, and readable chain errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ape import Contract, chain, networks, project
from ape.exceptions import ContractLogicError
from eth_abi import decode

from kabuto.errors import ChainStateError, ManifestError
from kabuto.manifest import DEFAULT_DIR, Manifest, TokenEntry, load_manifest, manifest_path
from kabuto.onchain_types import Restriction

# Manifest name -> compiled contract type.
CONTRACT_TYPES = {
    "InvestorRegistry": "InvestorRegistry",
    "YenCoin": "YenCoin",
    "Settlement": "DvPSettlement",
    "BatchSettlement": "BatchSettlement",
    "CorporateActions": "CorporateActions",
    "PrimaryOffering": "PrimaryOffering",
}


def tx_settings() -> dict[str, Any]:
    """Extra transaction arguments for the connected network: on a chain whose gas price is 0
    (Quorum/Besu with free gas, `make privnet`, Ape's local anvil) legacy transactions at gas
    price 0, so accounts without ether can send."""
    if networks.provider.gas_price == 0:
        return {"gas_price": 0, "type": 0}
    return {}


def send(method: Callable[..., Any], *args: Any, sender: Any) -> Any:
    """Sends one transaction (a contract method or a deployment) and returns its receipt."""
    return method(*args, sender=sender, **tx_settings())


def deploy(name: str, *args: Any, sender: Any) -> Any:
    return getattr(project, name).deploy(*args, sender=sender, **tx_settings())


def at(type_name: str, address: str) -> Any:
    """A contract instance of a compiled type at `address` (no explorer lookup)."""
    return Contract(address, contract_type=getattr(project, type_name).contract_type)


def has_code(address: str) -> bool:
    return len(chain.provider.get_code(address)) > 0


# The platform last loaded by this process: lets a refusal name the investors it concerns.
_CURRENT: dict[str, Any] = {}


def _investor_of(address: str) -> str | None:
    platform = _CURRENT.get("platform")
    if platform is None:
        return None
    try:
        raw = bytes(platform.registry.investorIdOf(address))
    except Exception:  # a refusal is described even when the registry cannot be read
        return None
    return raw.rstrip(b"\0").decode("utf-8", "replace") or None


def _argument_text(key: str, value: Any) -> str:
    if isinstance(value, bytes):
        return f"{key}=0x{value.hex()}"
    text = str(value)
    if isinstance(value, str) and text.startswith("0x") and len(text) == 42:
        investor = _investor_of(text)
        return f"{key}={text}" + (f" (investor {investor})" if investor else "")
    if key in ("code", "restriction") and isinstance(value, int):
        try:
            return f"{key}={value} (ERC-1404 {Restriction(value).name})"
        except ValueError:
            return f"{key}={value}"
    return f"{key}={text}"


def revert_reason(error: Exception) -> str:
    """A chain refusal in words: the custom error's name and arguments (an ERC-1404 code with
    its name, an address with the investor it belongs to), never raw revert data."""
    if isinstance(error, ContractLogicError):
        name = type(error).__name__
        inputs = getattr(error, "inputs", None)
        if inputs:
            args = ", ".join(_argument_text(k, v) for k, v in inputs.items())
            return f"{name}({args})"
        message = str(error.message or name)
        if message.startswith("0x") and len(message) >= 10:
            return (
                f"a custom error this tooling does not know (selector {message[:10]}); "
                "the contracts may be of another version than this checkout"
            )
        return message
    return str(error)


@dataclass
class Platform:
    """The platform contracts and tokens of the connected chain, from its manifest."""

    manifest: Manifest
    directory: Path

    @property
    def chain_id(self) -> int:
        return self.manifest.chain_id

    @property
    def path(self) -> Path:
        return manifest_path(self.chain_id, self.directory)

    def contract(self, name: str) -> Any:
        address = self.manifest.contract(name)
        if not has_code(address):
            raise ManifestError(
                f"the manifest {self.path} names {name} at {address}, but there "
                "is no contract there: was the chain reset? Deploy again"
            )
        return at(CONTRACT_TYPES[name], address)

    @cached_property
    def registry(self) -> Any:
        return self.contract("InvestorRegistry")

    @cached_property
    def yen(self) -> Any:
        return self.contract("YenCoin")

    @cached_property
    def dvp(self) -> Any:
        return self.contract("Settlement")

    @cached_property
    def batch(self) -> Any:
        return self.contract("BatchSettlement")

    @cached_property
    def corporate(self) -> Any:
        return self.contract("CorporateActions")

    @cached_property
    def offering(self) -> Any:
        return self.contract("PrimaryOffering")

    def token_entry(self, symbol: str) -> TokenEntry:
        return self.manifest.token(symbol)

    def token(self, symbol: str) -> Any:
        entry = self.manifest.token(symbol)
        if not has_code(entry.address):
            raise ManifestError(
                f"token {symbol} at {entry.address} has no code on chain "
                f"{self.chain_id}: was the chain reset?"
            )
        return at("SecurityToken", entry.address)

    def token_by_address(self, address: str) -> Any:
        for symbol, entry in self.manifest.tokens.items():
            if entry.address == address:
                return self.token(symbol)
        raise ManifestError(f"no token at {address} in the manifest {self.path}")

    def reload(self) -> Platform:
        return load_platform(self.directory)


def load_platform(directory: Path = DEFAULT_DIR) -> Platform:
    """The connected chain's platform, from ``<directory>/<chain id>.json``."""
    chain_id = chain.chain_id
    platform = Platform(load_manifest(manifest_path(chain_id, directory), chain_id), directory)
    _CURRENT["platform"] = platform
    return platform


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ChainStateError(message)


@dataclass(frozen=True)
class InvestorRecord:
    """IInvestorRegistry.Investor (decoded by hand: Ape cannot build a struct with a field
    named `class`)."""

    number: int
    investor_class: int
    status: int
    country: int
    kyc_expiry: int


# investorOf(address)'s return data, in InvestorRecord's field order
INVESTOR_RECORD_TYPES = ("uint64", "uint8", "uint8", "uint16", "uint40")


def investor_record(registry: Any, wallet: str) -> InvestorRecord:
    raw = registry.investorOf(wallet, decode=False)
    return InvestorRecord(*decode(list(INVESTOR_RECORD_TYPES), bytes(raw)))
