"""The bench's own wallets and their transactions, signed in-process and fast.

Anvil's ``eth_sendTransaction`` (it signs for any sender) looks up the sender's pending nonce by
walking every transaction waiting in its pool, so filling a block of n transactions costs n^2;
``eth_sendRawTransaction`` takes the nonce from the signed transaction. For the scale bench's
million transfers the holders therefore have keys of their own (derived from a label, so a run
is reproducible), and their transfers are signed here: a legacy EIP-155 transaction at gas
price 0 (the bench's node is gas-free), RLP written out by hand (~3 us a transaction, where the
rlp package takes ~13) and signed with libsecp256k1 (coincurve), ~25 us a transaction in all. tests/unit/bench/test_signing.py checks the bytes
against eth-account's signer.
"""

from __future__ import annotations

from dataclasses import dataclass

import coincurve
import sha3  # safe-pysha3: Keccak-256 in C

from kabuto.chainread import checksum_address

__all__ = ["Wallet", "sign_call", "wallet"]


@dataclass(frozen=True)
class Wallet:
    """A key the bench holds and the checksummed address it signs for."""

    key: coincurve.PrivateKey
    address: str


def wallet(seed: str) -> Wallet:
    """The wallet whose private key is keccak256(seed) (a valid key for any seed but with
    probability ~2^-128)."""
    key = coincurve.PrivateKey(sha3.keccak_256(seed.encode()).digest())
    public = key.public_key.format(compressed=False)[1:]
    return Wallet(key, checksum_address(sha3.keccak_256(public).digest()[12:].hex()))


def _length_prefix(length: int, short: int) -> bytes:
    if length <= 55:
        return bytes([short + length])
    size = (length.bit_length() + 7) // 8
    return bytes([short + 55 + size]) + length.to_bytes(size, "big")


def _item(data: bytes) -> bytes:
    if len(data) == 1 and data[0] < 0x80:
        return data
    return _length_prefix(len(data), 0x80) + data


def _int(value: int) -> bytes:
    return _item(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _list(items: list[bytes]) -> bytes:
    payload = b"".join(items)
    return _length_prefix(len(payload), 0xC0) + payload


def sign_call(
    signer: Wallet, *, nonce: int, gas: int, to: str, data: bytes, chain_id: int
) -> bytes:
    """The raw bytes of a legacy (type 0) EIP-155 transaction calling ``to`` with ``data``,
    value 0, gas price 0, signed by ``signer``."""
    head = [_int(nonce), _int(0), _int(gas), _item(bytes.fromhex(to[2:])), _int(0), _item(data)]
    digest = sha3.keccak_256(_list([*head, _int(chain_id), _int(0), _int(0)])).digest()
    signature = signer.key.sign_recoverable(digest, hasher=None)
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64] + 35 + 2 * chain_id
    return _list([*head, _int(v), _int(r), _int(s)])
