"""Encryption of investor personal data to an issuer's public key.

The envelope is compact and versioned because it travels on-chain as calldata and in an
event (every byte costs gas). The scheme follows the issuer's registered public key (X25519
for new keys, RSA for keys that must stay RSA, e.g. bound to an HSM); decryption follows the
envelope's version byte:

* version 3, X25519 issuer key: HPKE (RFC 9180), base mode, single shot, suite
  DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM::

      0x03 | key id (4 bytes) | HPKE enc (32 bytes) | AES-128-GCM(data) | GCM tag (16 bytes)

  HPKE derives a fresh key per message from an ephemeral X25519 key, so any data length
  fits one envelope (53 bytes of overhead). The header (version and key id) goes into the
  HPKE ``info``, so it is authenticated. Decrypting is one X25519 operation (~0.2 ms),
  about ten times cheaper than an RSA-2048 private-key operation.

* version 1, RSA key, the data fits one RSA-OAEP-SHA256 block (up to 190 bytes, RSA-2048)::

      0x01 | key id (4 bytes) | RSA-OAEP(data)                       (k bytes: 256 for RSA-2048)

* version 2, RSA key, longer data (hybrid encryption)::

      0x02 | key id (4 bytes) | RSA-OAEP(aes key) | AES-256-GCM(data) | GCM tag (16 bytes)

  The AES-256 key is random and encrypts exactly one message, so the GCM nonce is fixed to
  twelve zero bytes and not stored (a nonce must never repeat *under one key*; each key is
  used once). The header (version and key id) is authenticated as associated data.

The key id is the first four bytes of the public key's fingerprint (SHA-256 of its DER
SubjectPublicKeyInfo, for either key type): it lets the tooling say "this was encrypted to
another key" instead of a bare decryption failure. It is an identifier, not a security feature.
"""

from __future__ import annotations

import hashlib
import os
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kabuto.errors import DecryptionError

PrivateKey = rsa.RSAPrivateKey | x25519.X25519PrivateKey
PublicKey = rsa.RSAPublicKey | x25519.X25519PublicKey


class KeyType(StrEnum):
    """The kinds of issuer key the tooling creates and reads."""

    X25519 = "x25519"  # the default: small envelopes, cheap decryption
    RSA = "rsa"  # for issuers whose key must be RSA (an HSM that has no X25519)


SUPPORTED_KEY_SIZES = (2048, 3072)
DEFAULT_KEY_SIZE = 2048
DEFAULT_KEY_TYPE = KeyType.X25519
VERSION_RSA = 1
VERSION_HYBRID = 2
VERSION_HPKE_X25519 = 3
VERSIONS = (VERSION_RSA, VERSION_HYBRID, VERSION_HPKE_X25519)
KEY_ID_BYTES = 4
_HEADER_BYTES = 1 + KEY_ID_BYTES
_AES_KEY_BYTES = 32
_GCM_NONCE = bytes(12)
_GCM_TAG_BYTES = 16
_SHA256_BYTES = 32
_HPKE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
_HPKE_ENC_BYTES = 32
_HPKE_INFO = b"kabuto personal data"
_SCHEME = {
    VERSION_RSA: "RSA-OAEP (RSA key)",
    VERSION_HYBRID: "RSA-OAEP + AES-GCM (RSA key)",
    VERSION_HPKE_X25519: "HPKE (X25519 key)",
}


def _oaep() -> padding.OAEP:
    return padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
    )


def generate_private_key(
    key_type: KeyType | str = DEFAULT_KEY_TYPE, key_size: int = DEFAULT_KEY_SIZE
) -> PrivateKey:
    """A new key pair for an issuer: X25519 by default; RSA (2048 bits by default) on request."""
    kind = KeyType(key_type)
    if kind is KeyType.X25519:
        return x25519.X25519PrivateKey.generate()
    if key_size not in SUPPORTED_KEY_SIZES:
        raise ValueError(f"RSA key size must be one of {SUPPORTED_KEY_SIZES}, not {key_size}")
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def key_type_of(key: PrivateKey | PublicKey) -> KeyType:
    if isinstance(key, (x25519.X25519PrivateKey, x25519.X25519PublicKey)):
        return KeyType.X25519
    return KeyType.RSA


def check_key(key: object, what: str) -> None:
    """Raises TypeError unless `key` is an issuer key type the tooling supports."""
    if not isinstance(
        key, (rsa.RSAPrivateKey, rsa.RSAPublicKey, x25519.X25519PrivateKey, x25519.X25519PublicKey)
    ):
        raise TypeError(
            f"{what} is a {type(key).__name__}: issuer keys must be X25519 (the default) or RSA"
        )


def public_key_der(public_key: PublicKey) -> bytes:
    """The DER SubjectPublicKeyInfo bytes: what `setIssuerKey` stores on-chain (44 bytes for
    X25519, 294 for RSA-2048)."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_from_der(der: bytes) -> PublicKey:
    """The issuer public key from the DER bytes read back from the chain."""
    try:
        key = serialization.load_der_public_key(der)
    except ValueError as exc:
        raise ValueError(
            f"the issuer key ({len(der)} bytes) is not a DER SubjectPublicKeyInfo: "
            "register it again with the deploy script"
        ) from exc
    try:
        check_key(key, "the registered issuer key")
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
    return key  # type: ignore[return-value]


def fingerprint(public_key: PublicKey) -> str:
    """SHA-256 of the DER public key, as hex: how people compare and name issuer keys."""
    return hashlib.sha256(public_key_der(public_key)).hexdigest()


def key_id(public_key: PublicKey) -> bytes:
    return bytes.fromhex(fingerprint(public_key))[:KEY_ID_BYTES]


def max_direct_plaintext(public_key: rsa.RSAPublicKey) -> int:
    """The longest plaintext one RSA-OAEP-SHA256 block takes (190 bytes for RSA-2048)."""
    return public_key.key_size // 8 - 2 * _SHA256_BYTES - 2


def _hpke_info(header: bytes) -> bytes:
    return _HPKE_INFO + header


def encrypt(plaintext: bytes, public_key: PublicKey) -> bytes:
    """The envelope for `plaintext`, in the scheme of the key: HPKE for X25519; for RSA,
    RSA-OAEP alone when it fits one block, hybrid otherwise."""
    kid = key_id(public_key)
    if isinstance(public_key, x25519.X25519PublicKey):
        header = bytes([VERSION_HPKE_X25519]) + kid
        return header + _HPKE.encrypt(plaintext, public_key, info=_hpke_info(header))
    if len(plaintext) <= max_direct_plaintext(public_key):
        return bytes([VERSION_RSA]) + kid + public_key.encrypt(plaintext, _oaep())
    header = bytes([VERSION_HYBRID]) + kid
    aes_key = os.urandom(_AES_KEY_BYTES)
    wrapped = public_key.encrypt(aes_key, _oaep())
    sealed = AESGCM(aes_key).encrypt(_GCM_NONCE, plaintext, header)
    return header + wrapped + sealed


def envelope_key_id(envelope: bytes) -> bytes:
    if len(envelope) < _HEADER_BYTES:
        raise DecryptionError(
            f"the ciphertext is {len(envelope)} bytes: too short to be a Kabuto envelope"
        )
    return envelope[1:_HEADER_BYTES]


class Decryptor:
    """Decrypts many envelopes with one private key (its key id computed once)."""

    def __init__(self, private_key: PrivateKey) -> None:
        check_key(private_key, "the private key")
        self._key = private_key
        self._type = key_type_of(private_key)
        self._own_id = key_id(private_key.public_key())

    def decrypt(self, envelope: bytes) -> bytes:
        """The plaintext of an envelope made by :func:`encrypt`.

        Raises:
            DecryptionError: unknown version, another key, or tampered/corrupt data.
        """
        kid = envelope_key_id(envelope)
        version = envelope[0]
        if version not in VERSIONS:
            raise DecryptionError(
                f"unknown envelope version {version}: this tooling reads "
                f"versions {', '.join(map(str, VERSIONS))}; upgrade kabuto"
            )
        if kid != self._own_id:
            raise DecryptionError(
                f"the data was encrypted with {_SCHEME[version]} to the key with id {kid.hex()}, "
                f"but this {self._type.value.upper()} key's id is {self._own_id.hex()}: use the "
                "issuer key file that was registered when the data was stored"
            )
        wanted = KeyType.X25519 if version == VERSION_HPKE_X25519 else KeyType.RSA
        if wanted is not self._type:  # the key id matched, so the version byte was altered
            raise DecryptionError(
                f"the envelope says version {version} ({_SCHEME[version]}) but was made for this "
                f"{self._type.value.upper()} key: the ciphertext is corrupt or was altered"
            )
        try:
            if version == VERSION_HPKE_X25519:
                return self._open_hpke(envelope)
            return self._open_rsa(envelope, version)
        except (ValueError, InvalidTag) as exc:
            raise DecryptionError(
                "the ciphertext is corrupt or was altered (integrity check failed)"
            ) from exc

    def _open_hpke(self, envelope: bytes) -> bytes:
        if len(envelope) < _HEADER_BYTES + _HPKE_ENC_BYTES + _GCM_TAG_BYTES:
            raise DecryptionError("version-3 envelope is truncated")
        key = self._key
        assert isinstance(key, x25519.X25519PrivateKey)  # checked by decrypt()
        return _HPKE.decrypt(
            envelope[_HEADER_BYTES:], key, info=_hpke_info(envelope[:_HEADER_BYTES])
        )

    def _open_rsa(self, envelope: bytes, version: int) -> bytes:
        key = self._key
        assert isinstance(key, rsa.RSAPrivateKey)  # checked by decrypt()
        block = key.key_size // 8
        body = envelope[_HEADER_BYTES:]
        if version == VERSION_RSA:
            if len(body) != block:
                raise DecryptionError(
                    f"version-1 envelope must carry {block} bytes after the "
                    f"header, found {len(body)}"
                )
            return key.decrypt(body, _oaep())
        if len(body) < block + _GCM_TAG_BYTES:
            raise DecryptionError("version-2 envelope is truncated")
        aes_key = key.decrypt(body[:block], _oaep())
        return AESGCM(aes_key).decrypt(_GCM_NONCE, body[block:], envelope[:_HEADER_BYTES])


def decrypt(envelope: bytes, private_key: PrivateKey) -> bytes:
    """The plaintext of an envelope made by :func:`encrypt` (see :class:`Decryptor`).

    Raises:
        DecryptionError: unknown version, another key, or tampered/corrupt data.
    """
    return Decryptor(private_key).decrypt(envelope)
