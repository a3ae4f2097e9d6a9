import os
import stat

import pytest

from kabuto import crypto
from kabuto.errors import KeyFileError
from kabuto.keys import KeyFiles, check_pair, create_key_files, load_private_key, load_public_key

ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_create_key_files__private_0600_and_loadable(tmp_path):
    files = KeyFiles.for_issuer(ISSUER, tmp_path / "keys")
    key = create_key_files(files)
    assert files.private.name == f"{ISSUER}.pem" and files.public.name == f"{ISSUER}.pub.pem"
    assert stat.S_IMODE(files.private.stat().st_mode) == 0o600
    loaded = load_private_key(files.private)
    assert crypto.fingerprint(loaded.public_key()) == crypto.fingerprint(key.public_key())
    check_pair(loaded, load_public_key(files.public))


def test_create_key_files__existing_file__never_overwritten(tmp_path):
    files = KeyFiles.for_issuer(ISSUER, tmp_path)
    create_key_files(files)
    before = files.private.read_bytes()
    with pytest.raises(KeyFileError, match="never overwrites"):
        create_key_files(files)
    assert files.private.read_bytes() == before


def test_passphrase__required_and_checked(tmp_path):
    files = KeyFiles.for_issuer(ISSUER, tmp_path)
    create_key_files(files, passphrase="correct horse")
    assert b"ENCRYPTED" in files.private.read_bytes()
    with pytest.raises(KeyFileError, match="give its passphrase"):
        load_private_key(files.private)
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_private_key(files.private, "wrong")
    load_private_key(files.private, "correct horse")


def test_load_private_key__readable_by_others__refused(tmp_path):
    files = KeyFiles.for_issuer(ISSUER, tmp_path)
    create_key_files(files)
    os.chmod(files.private, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_private_key(files.private)


def test_load__missing_file__explains(tmp_path):
    with pytest.raises(KeyFileError, match="create the issuer's key pair"):
        load_private_key(tmp_path / "nope.pem")


def test_check_pair__different_keys__rejected(issuer_key, other_issuer_key):
    with pytest.raises(KeyFileError, match="does not match"):
        check_pair(issuer_key, other_issuer_key.public_key())


def test_create_key_files__default_x25519__encrypted_pem_round_trip(tmp_path):
    files = KeyFiles.for_issuer(ISSUER, tmp_path)
    key = create_key_files(files, passphrase="correct horse")
    assert crypto.key_type_of(key) is crypto.KeyType.X25519
    loaded = load_private_key(files.private, "correct horse")
    check_pair(loaded, load_public_key(files.public))
    envelope = crypto.encrypt(b"name", load_public_key(files.public))
    assert crypto.decrypt(envelope, loaded) == b"name"


def test_create_key_files__rsa_on_request(tmp_path):
    files = KeyFiles.for_issuer(ISSUER, tmp_path)
    key = create_key_files(files, key_type="rsa", key_size=3072)
    loaded = load_private_key(files.private)
    assert crypto.key_type_of(loaded) is crypto.KeyType.RSA and loaded.key_size == 3072
    assert crypto.fingerprint(loaded.public_key()) == crypto.fingerprint(key.public_key())


def test_load__unsupported_key_type__says_which_are_supported(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    path = tmp_path / "ed.pem"
    path.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match="must be X25519 \\(the default\\) or RSA"):
        load_private_key(path)
