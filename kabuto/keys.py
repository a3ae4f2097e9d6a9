"""Issuer key files: where the key pair that decrypts investor personal data lives.

Each issuer has one key pair (X25519 for new keys; RSA where the key must be RSA, see
:mod:`kabuto.crypto`), kept as two PEM files in the key directory (``keys/`` by default,
never committed)::

    keys/<issuer address>.pem       private key, PKCS#8, file mode 0600, optionally
                                    encrypted with a passphrase
    keys/<issuer address>.pub.pem   public key (SubjectPublicKeyInfo); safe to share

Losing the private key means losing the ability to read the register's names and
addresses, so the tooling never overwrites an existing key file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from kabuto.crypto import (
    DEFAULT_KEY_SIZE,
    DEFAULT_KEY_TYPE,
    KeyType,
    PrivateKey,
    PublicKey,
    check_key,
    fingerprint,
    generate_private_key,
)
from kabuto.errors import KeyFileError

DEFAULT_KEY_DIR = Path("keys")
PRIVATE_MODE = 0o600


@dataclass(frozen=True)
class KeyFiles:
    private: Path
    public: Path

    @classmethod
    def for_issuer(cls, issuer: str, key_dir: Path = DEFAULT_KEY_DIR) -> KeyFiles:
        """The file names of an issuer's key pair (the issuer's checksummed address)."""
        return cls(key_dir / f"{issuer}.pem", key_dir / f"{issuer}.pub.pem")


def _exists_error(path: Path) -> KeyFileError:
    return KeyFileError(
        f"{path} already exists; the tooling never overwrites a key file. Move "
        "it away first if you really mean to replace the key (data encrypted "
        "to the old key stays readable only with the old file)"
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as exc:
        raise _exists_error(path) from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def create_key_files(
    files: KeyFiles,
    passphrase: str | None = None,
    key_type: KeyType | str = DEFAULT_KEY_TYPE,
    key_size: int = DEFAULT_KEY_SIZE,
) -> PrivateKey:
    """Generates a key pair (X25519 unless `key_type` says RSA; `key_size` is for RSA) and
    writes both files. Returns the private key.

    Raises:
        KeyFileError: a file already exists.
    """
    for path in (files.private, files.public):
        if path.exists():
            raise _exists_error(path)
    key = generate_private_key(key_type, key_size)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    _write_new(
        files.private,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        ),
        PRIVATE_MODE,
    )
    _write_new(
        files.public,
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        0o644,
    )
    return key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(
            f"{path} not found: create the issuer's key pair first (see "
            "docs/tooling.md, 'Issuer key files')"
        ) from exc


def load_private_key(path: Path, passphrase: str | None = None) -> PrivateKey:
    """The issuer's private key (X25519 or RSA).

    Raises:
        KeyFileError: missing file, readable by others, wrong passphrase or another key type.
    """
    data = _read(path)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise KeyFileError(
            f"{path} is readable by other users; restrict it with `chmod 600 {path}` and run again"
        )
    try:
        key = serialization.load_pem_private_key(
            data, password=passphrase.encode() if passphrase else None
        )
    except TypeError as exc:
        raise KeyFileError(
            f"{path} is encrypted: give its passphrase"
            if not passphrase
            else f"{path} is not encrypted: give no passphrase"
        ) from exc
    except ValueError as exc:
        raise KeyFileError(
            f"{path} cannot be read: wrong passphrase or not a PEM private key"
        ) from exc
    try:
        check_key(key, str(path))
    except TypeError as exc:
        raise KeyFileError(str(exc)) from exc
    return key  # type: ignore[return-value]


def load_public_key(path: Path) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(_read(path))
    except ValueError as exc:
        raise KeyFileError(f"{path} is not a PEM public key") from exc
    try:
        check_key(key, str(path))
    except TypeError as exc:
        raise KeyFileError(str(exc)) from exc
    return key  # type: ignore[return-value]


def check_pair(private_key: PrivateKey, public_key: PublicKey) -> None:
    """Raises KeyFileError unless the two keys belong together (e.g. on-chain key vs file)."""
    mine, theirs = fingerprint(private_key.public_key()), fingerprint(public_key)
    if mine != theirs:
        raise KeyFileError(
            f"the private key (fingerprint {mine[:16]}...) does not match the "
            f"public key (fingerprint {theirs[:16]}...)"
        )
