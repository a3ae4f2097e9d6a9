"""EIP-712 typed data for the signed operations of ERC-20 cash tokens, and signing with them.

Builds the typed data of EIP-2612 ``Permit`` and the three EIP-3009 messages
(``TransferWithAuthorization``, ``ReceiveWithAuthorization``, ``CancelAuthorization``) and signs it
with eth-account's standard typed-data signing (``Account.sign_typed_data``): no hand-rolled hashing.

Example::

    domain = Eip712Domain.from_eip5267(coin.eip712Domain())
    auth = TransferWithAuthorization(from_address=alice, to=bob, value=1_000,
                                     valid_after=0, valid_before=deadline, nonce=random_nonce())
    sig = sign_typed(alice_key, domain, auth)
    coin.transferWithAuthorization(*auth.call_args(), sig.v, sig.r, sig.s, sender=relayer)
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import is_address, to_checksum_address

UINT256_MAX = 2**256 - 1
# ERC-5267 `fields` bitmap for name, version, chainId and verifyingContract (no salt, no extensions).
EIP5267_STANDARD_FIELDS = 0x0F

PrivateKey = bytes | str | int

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


class SigningError(ValueError):
    """A typed-data message or domain is malformed; the message says which field and why."""


def _address(field: str, value: Any) -> str:
    if not isinstance(value, str):
        value = getattr(value, "address", value)  # accept Ape accounts and contracts
    if not isinstance(value, str) or not is_address(value):
        raise SigningError(f"{field} must be a 20-byte hex address, got {value!r}")
    return to_checksum_address(value)


def _uint256(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= UINT256_MAX:
        raise SigningError(f"{field} must be an integer in 0..2**256-1, got {value!r}")
    return value


def _bytes32(field: str, value: Any) -> bytes:
    if isinstance(value, str):
        try:
            value = bytes.fromhex(value.removeprefix("0x"))
        except ValueError as err:
            raise SigningError(f"{field} must be 32 bytes (hex), got {value!r}") from err
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise SigningError(f"{field} must be exactly 32 bytes, got {value!r}")
    return bytes(value)


def random_nonce() -> bytes:
    """A fresh random 32-byte EIP-3009 nonce (the EIP asks for random, not sequential, nonces)."""
    return secrets.token_bytes(32)


@dataclass(frozen=True)
class Eip712Domain:
    """The EIP-712 domain of a token: name, version, chain id and the token's address."""

    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def __post_init__(self) -> None:
        if not self.name:
            raise SigningError("domain name must not be empty (use the token's EIP-712 name)")
        if not self.version:
            raise SigningError('domain version must not be empty (OpenZeppelin tokens use "1")')
        object.__setattr__(self, "chain_id", _uint256("chain_id", self.chain_id))
        object.__setattr__(
            self, "verifying_contract", _address("verifying_contract", self.verifying_contract)
        )

    @classmethod
    def from_eip5267(cls, result: Sequence[Any]) -> Eip712Domain:
        """Builds the domain from a token's ERC-5267 ``eip712Domain()`` return value.

        Args:
            result: ``(fields, name, version, chainId, verifyingContract, salt, extensions)``.

        Raises:
            SigningError: the token declares a salt or extensions this module does not model.
        """
        if len(result) < 5:
            raise SigningError(f"eip712Domain() must return 7 values, got {len(result)}")
        fields_bitmap = result[0]
        if isinstance(fields_bitmap, (bytes, bytearray)):
            fields_bitmap = int.from_bytes(fields_bitmap, "big")
        if fields_bitmap != EIP5267_STANDARD_FIELDS:
            raise SigningError(
                f"eip712Domain() fields bitmap is {fields_bitmap:#04x}; only name, version, "
                f"chainId and verifyingContract ({EIP5267_STANDARD_FIELDS:#04x}) are supported"
            )
        return cls(
            name=str(result[1]),
            version=str(result[2]),
            chain_id=int(result[3]),
            verifying_contract=str(result[4]),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


@dataclass(frozen=True)
class _TypedMessage:
    """Base of the typed messages: each field maps to one EIP-712 member, in declared order."""

    PRIMARY_TYPE: ClassVar[str]
    # (python field name, EIP-712 member name, EIP-712 type)
    MEMBERS: ClassVar[tuple[tuple[str, str, str], ...]]

    def __post_init__(self) -> None:
        checkers = {"address": _address, "uint256": _uint256, "bytes32": _bytes32}
        for attr, _member, kind in self.MEMBERS:
            object.__setattr__(self, attr, checkers[kind](attr, getattr(self, attr)))

    @classmethod
    def types(cls) -> list[dict[str, str]]:
        return [{"name": member, "type": kind} for _attr, member, kind in cls.MEMBERS]

    def message(self) -> dict[str, Any]:
        return {member: getattr(self, attr) for attr, member, _kind in self.MEMBERS}

    def call_args(self) -> tuple[Any, ...]:
        """The message fields in the order the contract functions take them."""
        return tuple(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class Permit(_TypedMessage):
    """EIP-2612: ``owner`` lets ``spender`` spend ``value`` until ``deadline`` (unix seconds).

    ``nonce`` is the owner's current ``nonces(owner)`` on the token.
    """

    owner: str
    spender: str
    value: int
    nonce: int
    deadline: int

    PRIMARY_TYPE: ClassVar[str] = "Permit"
    MEMBERS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("owner", "owner", "address"),
        ("spender", "spender", "address"),
        ("value", "value", "uint256"),
        ("nonce", "nonce", "uint256"),
        ("deadline", "deadline", "uint256"),
    )

    def call_args(self) -> tuple[Any, ...]:
        """``permit(owner, spender, value, deadline, ...)`` takes no nonce."""
        return (self.owner, self.spender, self.value, self.deadline)


_AUTHORIZATION_MEMBERS: tuple[tuple[str, str, str], ...] = (
    ("from_address", "from", "address"),
    ("to", "to", "address"),
    ("value", "value", "uint256"),
    ("valid_after", "validAfter", "uint256"),
    ("valid_before", "validBefore", "uint256"),
    ("nonce", "nonce", "bytes32"),
)


@dataclass(frozen=True)
class TransferWithAuthorization(_TypedMessage):
    """EIP-3009: ``from_address`` authorizes moving ``value`` to ``to`` by anyone who submits it,
    valid strictly after ``valid_after`` and strictly before ``valid_before`` (unix seconds)."""

    from_address: str
    to: str
    value: int
    valid_after: int
    valid_before: int
    nonce: bytes

    PRIMARY_TYPE: ClassVar[str] = "TransferWithAuthorization"
    MEMBERS: ClassVar[tuple[tuple[str, str, str], ...]] = _AUTHORIZATION_MEMBERS


@dataclass(frozen=True)
class ReceiveWithAuthorization(TransferWithAuthorization):
    """EIP-3009: as TransferWithAuthorization, but only the payee ``to`` may submit it."""

    PRIMARY_TYPE: ClassVar[str] = "ReceiveWithAuthorization"


@dataclass(frozen=True)
class CancelAuthorization(_TypedMessage):
    """EIP-3009: ``authorizer`` cancels its unused authorization ``nonce``."""

    authorizer: str
    nonce: bytes

    PRIMARY_TYPE: ClassVar[str] = "CancelAuthorization"
    MEMBERS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("authorizer", "authorizer", "address"),
        ("nonce", "nonce", "bytes32"),
    )


TypedMessage = Permit | TransferWithAuthorization | ReceiveWithAuthorization | CancelAuthorization


@dataclass(frozen=True)
class Signature:
    """A 65-byte secp256k1 signature, split the way the contract functions take it."""

    v: int
    r: bytes
    s: bytes

    @property
    def packed(self) -> bytes:
        """``r || s || v``: the ``bytes signature`` form (also what ERC-1271 wallets receive)."""
        return self.r + self.s + bytes([self.v])


def typed_data(domain: Eip712Domain, message: TypedMessage) -> dict[str, Any]:
    """The full EIP-712 typed data (``eth_signTypedData_v4`` JSON shape) of ``message``."""
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, message.PRIMARY_TYPE: message.types()},
        "primaryType": message.PRIMARY_TYPE,
        "domain": domain.as_dict(),
        "message": message.message(),
    }


def sign_typed(private_key: PrivateKey, domain: Eip712Domain, message: TypedMessage) -> Signature:
    """Signs ``message`` under ``domain`` with eth-account's standard typed-data signing."""
    signed = Account.sign_typed_data(private_key, full_message=typed_data(domain, message))
    return Signature(v=signed.v, r=signed.r.to_bytes(32, "big"), s=signed.s.to_bytes(32, "big"))


def recover_signer(domain: Eip712Domain, message: TypedMessage, signature: Signature) -> str:
    """The address that made ``signature`` over ``message`` (to check a signature before sending)."""
    signable = encode_typed_data(full_message=typed_data(domain, message))
    return to_checksum_address(Account.recover_message(signable, signature=signature.packed))
