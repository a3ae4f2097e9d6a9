"""Fixtures for the tooling's unit tests (pure Python: no chain needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa, x25519

from kabuto.crypto import KeyType, generate_private_key


@pytest.fixture(scope="session")
def issuer_key() -> x25519.X25519PrivateKey:
    """An issuer key of the default type (X25519), as the deploy script creates it."""
    return generate_private_key()


@pytest.fixture(scope="session")
def other_issuer_key() -> x25519.X25519PrivateKey:
    return generate_private_key()


@pytest.fixture(scope="session")
def rsa_issuer_key() -> rsa.RSAPrivateKey:
    """One RSA-2048 issuer key for the whole session (generation takes ~0.1 s)."""
    return generate_private_key(KeyType.RSA)


@pytest.fixture(scope="session")
def other_rsa_issuer_key() -> rsa.RSAPrivateKey:
    return generate_private_key(KeyType.RSA)


@pytest.fixture
def write_file(tmp_path: Path):
    """Writes text (or bytes) to a file in tmp_path and returns its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
