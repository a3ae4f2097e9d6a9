"""Encryption of investor personal data to an issuer's RSA key (RSA-OAEP-SHA256).

The envelope is compact and versioned because it travels on-chain as calldata and in an
event (every byte costs gas):

* version 1, the data fits one RSA-OAEP block (up to 190 bytes with RSA-2048)::

      0x01 | key id (4 bytes) | RSA-OAEP(data)                       (k bytes: 256 for RSA-2048)

* version 2, longer data (hybrid encryption)::

      0x02 | key id (4 bytes) | RSA-OAEP(aes key) | AES-256-GCM(data) | GCM tag (16 bytes)

  The AES-256 key is random and encrypts exactly one message, so the GCM nonce is fixed to
  twelve zero bytes and not stored (a nonce must never repeat *under one key*; each key is
  used once). The header (version and key id) is authenticated as associated data.

The key id is the first four bytes of the public key's fingerprint (SHA-256 of its DER
SubjectPublicKeyInfo): it lets the tooling say "this was encrypted to another key" instead
of a bare decryption failure. It is an identifier, not a security feature.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kabuto.errors import DecryptionError

SUPPORTED_KEY_SIZES = (2048, 3072)
DEFAULT_KEY_SIZE = 2048
VERSION_RSA = 1
VERSION_HYBRID = 2
KEY_ID_BYTES = 4
_HEADER_BYTES = 1 + KEY_ID_BYTES
_AES_KEY_BYTES = 32
_GCM_NONCE = bytes(12)
_GCM_TAG_BYTES = 16
_SHA256_BYTES = 32


def _oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(),
                        label=None)


def generate_private_key(key_size: int = DEFAULT_KEY_SIZE) -> rsa.RSAPrivateKey:
    """A new RSA key pair for an issuer (2048 bits by default: the smallest envelope)."""
    if key_size not in SUPPORTED_KEY_SIZES:
        raise ValueError(f"RSA key size must be one of {SUPPORTED_KEY_SIZES}, not {key_size}")
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def public_key_der(public_key: rsa.RSAPublicKey) -> bytes:
    """The DER SubjectPublicKeyInfo bytes: what `setIssuerKey` stores on-chain."""
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_from_der(der: bytes) -> rsa.RSAPublicKey:
    """The issuer public key from the DER bytes read back from the chain."""
    key = serialization.load_der_public_key(der)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the public key is not an RSA key")
    return key


def fingerprint(public_key: rsa.RSAPublicKey) -> str:
    """SHA-256 of the DER public key, as hex: how people compare and name issuer keys."""
    return hashlib.sha256(public_key_der(public_key)).hexdigest()


def key_id(public_key: rsa.RSAPublicKey) -> bytes:
    return bytes.fromhex(fingerprint(public_key))[:KEY_ID_BYTES]


def max_direct_plaintext(public_key: rsa.RSAPublicKey) -> int:
    """The longest plaintext one RSA-OAEP-SHA256 block takes (190 bytes for RSA-2048)."""
    return public_key.key_size // 8 - 2 * _SHA256_BYTES - 2


def encrypt(plaintext: bytes, public_key: rsa.RSAPublicKey) -> bytes:
    """The envelope for `plaintext`: RSA-OAEP alone when it fits one block, hybrid otherwise."""
    kid = key_id(public_key)
    if len(plaintext) <= max_direct_plaintext(public_key):
        return bytes([VERSION_RSA]) + kid + public_key.encrypt(plaintext, _oaep())
    header = bytes([VERSION_HYBRID]) + kid
    aes_key = os.urandom(_AES_KEY_BYTES)
    wrapped = public_key.encrypt(aes_key, _oaep())
    sealed = AESGCM(aes_key).encrypt(_GCM_NONCE, plaintext, header)
    return header + wrapped + sealed


def envelope_key_id(envelope: bytes) -> bytes:
    if len(envelope) < _HEADER_BYTES:
        raise DecryptionError(f"the ciphertext is {len(envelope)} bytes: too short to be a "
                              "Kabuto envelope")
    return envelope[1:_HEADER_BYTES]


def decrypt(envelope: bytes, private_key: rsa.RSAPrivateKey) -> bytes:
    """The plaintext of an envelope made by :func:`encrypt`.

    Raises:
        DecryptionError: unknown version, another key, or tampered/corrupt data.
    """
    kid = envelope_key_id(envelope)
    version = envelope[0]
    own = key_id(private_key.public_key())
    if kid != own:
        raise DecryptionError(
            f"the data was encrypted to the key with id {kid.hex()}, but this key's id is "
            f"{own.hex()}: use the issuer key file that was registered when the data was stored")
    block = private_key.key_size // 8
    body = envelope[_HEADER_BYTES:]
    try:
        if version == VERSION_RSA:
            if len(body) != block:
                raise DecryptionError(f"version-1 envelope must carry {block} bytes after the "
                                      f"header, found {len(body)}")
            return private_key.decrypt(body, _oaep())
        if version == VERSION_HYBRID:
            if len(body) < block + _GCM_TAG_BYTES:
                raise DecryptionError("version-2 envelope is truncated")
            aes_key = private_key.decrypt(body[:block], _oaep())
            return AESGCM(aes_key).decrypt(_GCM_NONCE, body[block:], envelope[:_HEADER_BYTES])
    except (ValueError, InvalidTag) as exc:
        raise DecryptionError("the ciphertext is corrupt or was altered (integrity check "
                              "failed)") from exc
    raise DecryptionError(f"unknown envelope version {version}: this tooling reads versions "
                          f"{VERSION_RSA} and {VERSION_HYBRID}; upgrade kabuto")
