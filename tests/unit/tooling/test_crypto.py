import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from kabuto import crypto
from kabuto.errors import DecryptionError
from kabuto.personal_data import (
    PersonalData,
    data_hash,
    decrypt_many,
    decrypt_personal_data,
    encrypt_personal_data,
)

TYPICAL = PersonalData(
    name="山田 太郎", address="東京都千代田区丸の内一丁目1番1号 丸の内ビルディング10階"
)


def test_encrypt__short_data__one_rsa_block_envelope(rsa_issuer_key):
    envelope = crypto.encrypt(b"hello", rsa_issuer_key.public_key())
    assert envelope[0] == crypto.VERSION_RSA
    assert len(envelope) == 1 + crypto.KEY_ID_BYTES + 256
    assert crypto.decrypt(envelope, rsa_issuer_key) == b"hello"


def test_encrypt__typical_japanese_name_and_address__fits_one_block_261_bytes(rsa_issuer_key):
    plaintext = TYPICAL.to_bytes()
    assert len(plaintext) <= crypto.max_direct_plaintext(rsa_issuer_key.public_key()) == 190
    envelope = encrypt_personal_data(TYPICAL, rsa_issuer_key.public_key())
    assert len(envelope) == 261
    assert decrypt_personal_data(envelope, rsa_issuer_key) == TYPICAL


@pytest.mark.parametrize("size", [191, 1_000, 10_000])
def test_encrypt__longer_than_one_block__hybrid_round_trip(rsa_issuer_key, size):
    plaintext = ("東" * size).encode()[:size]
    envelope = crypto.encrypt(plaintext, rsa_issuer_key.public_key())
    assert envelope[0] == crypto.VERSION_HYBRID
    assert len(envelope) == 1 + crypto.KEY_ID_BYTES + 256 + size + 16
    assert crypto.decrypt(envelope, rsa_issuer_key) == plaintext


def test_encrypt__same_data_twice__different_ciphertexts(rsa_issuer_key):
    public = rsa_issuer_key.public_key()
    assert crypto.encrypt(b"x" * 500, public) != crypto.encrypt(b"x" * 500, public)
    assert crypto.encrypt(b"x", public) != crypto.encrypt(b"x", public)


def test_decrypt__other_issuers_key__names_both_key_ids(rsa_issuer_key, other_rsa_issuer_key):
    envelope = crypto.encrypt(b"secret", rsa_issuer_key.public_key())
    with pytest.raises(DecryptionError, match="RSA-OAEP \\(RSA key\\) to the key with id"):
        crypto.decrypt(envelope, other_rsa_issuer_key)


@pytest.mark.parametrize("position", [10, -1, -20])
def test_decrypt__tampered_hybrid_envelope__integrity_error(rsa_issuer_key, position):
    envelope = bytearray(crypto.encrypt(b"y" * 400, rsa_issuer_key.public_key()))
    envelope[position] ^= 0x01
    with pytest.raises(DecryptionError, match="corrupt or was altered"):
        crypto.decrypt(bytes(envelope), rsa_issuer_key)


def test_decrypt__tampered_header__rejected(rsa_issuer_key):
    envelope = bytearray(crypto.encrypt(b"y" * 400, rsa_issuer_key.public_key()))
    envelope[0] = 7
    with pytest.raises(DecryptionError, match="unknown envelope version 7"):
        crypto.decrypt(bytes(envelope), rsa_issuer_key)


def test_decrypt__truncated__rejected(rsa_issuer_key):
    with pytest.raises(DecryptionError, match="too short"):
        crypto.decrypt(b"\x01\x00", rsa_issuer_key)
    envelope = crypto.encrypt(b"z", rsa_issuer_key.public_key())
    with pytest.raises(DecryptionError, match="must carry 256 bytes"):
        crypto.decrypt(envelope[:-1], rsa_issuer_key)


def test_rsa_3072__round_trip_and_larger_block():
    key = crypto.generate_private_key(crypto.KeyType.RSA, 3072)
    envelope = crypto.encrypt(TYPICAL.to_bytes(), key.public_key())
    assert len(envelope) == 1 + crypto.KEY_ID_BYTES + 384
    assert crypto.decrypt(envelope, key) == TYPICAL.to_bytes()


def test_generate__unsupported_size__rejected():
    with pytest.raises(ValueError, match="2048, 3072"):
        crypto.generate_private_key(crypto.KeyType.RSA, 1024)


@pytest.mark.parametrize(
    ("key_fixture", "der_bytes"), [("issuer_key", 44), ("rsa_issuer_key", 294)]
)
def test_public_key_der__round_trip_keeps_fingerprint(request, key_fixture, der_bytes):
    public = request.getfixturevalue(key_fixture).public_key()
    der = crypto.public_key_der(public)
    assert len(der) == der_bytes
    assert crypto.fingerprint(crypto.public_key_from_der(der)) == crypto.fingerprint(public)
    assert len(crypto.fingerprint(public)) == 64


def test_personal_data__deterministic_nfc_json():
    decomposed = PersonalData(name="\u30ab\u3099ク", address="  東京都  ")  # カ + dakuten
    composed = PersonalData(name="\u30acク", address="東京都")
    assert decomposed.to_bytes() == composed.to_bytes()
    assert composed.to_bytes() == '{"address":"東京都","name":"ガク"}'.encode()


def test_personal_data__not_personal_data__decryption_error(issuer_key):
    envelope = crypto.encrypt(b'{"foo": 1}', issuer_key.public_key())
    with pytest.raises(DecryptionError, match="not Kabuto personal data"):
        decrypt_personal_data(envelope, issuer_key)


def test_data_hash__is_keccak256_of_ciphertext():
    # keccak256("") is a well-known constant
    assert data_hash(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


# --- version 3: HPKE (RFC 9180) to an X25519 key, the default for new issuer keys -----------

HPKE_OVERHEAD = 1 + crypto.KEY_ID_BYTES + 32 + 16  # header, X25519 enc, GCM tag


def test_generate__default_is_x25519():
    assert crypto.key_type_of(crypto.generate_private_key()) is crypto.KeyType.X25519


@pytest.mark.parametrize("size", [0, 1, 190, 191, 10_000])
def test_hpke__round_trip_any_length__53_bytes_overhead(issuer_key, size):
    plaintext = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    envelope = crypto.encrypt(plaintext, issuer_key.public_key())
    assert envelope[0] == crypto.VERSION_HPKE_X25519
    assert envelope[1:5] == crypto.key_id(issuer_key.public_key())
    assert len(envelope) == HPKE_OVERHEAD + size
    assert crypto.decrypt(envelope, issuer_key) == plaintext


def test_hpke__typical_personal_data__smaller_than_rsa(issuer_key, rsa_issuer_key):
    envelope = encrypt_personal_data(TYPICAL, issuer_key.public_key())
    assert len(envelope) == HPKE_OVERHEAD + len(TYPICAL.to_bytes())
    assert len(envelope) < len(encrypt_personal_data(TYPICAL, rsa_issuer_key.public_key())) - 80
    assert decrypt_personal_data(envelope, issuer_key) == TYPICAL


def test_hpke__same_data_twice__different_ciphertexts(issuer_key):
    public = issuer_key.public_key()
    assert crypto.encrypt(b"x", public) != crypto.encrypt(b"x", public)


def test_hpke__key_from_registered_der__encrypts_for_the_file_key(issuer_key):
    public = crypto.public_key_from_der(crypto.public_key_der(issuer_key.public_key()))
    assert crypto.decrypt(crypto.encrypt(b"via chain", public), issuer_key) == b"via chain"


def test_hpke__other_x25519_key__says_which_key_to_use(issuer_key, other_issuer_key):
    envelope = crypto.encrypt(b"secret", issuer_key.public_key())
    own = crypto.key_id(other_issuer_key.public_key()).hex()
    with pytest.raises(
        DecryptionError,
        match=(
            rf"HPKE \(X25519 key\) to the key with id {envelope[1:5].hex()}, but this X25519 "
            rf"key's id is {own}: use the issuer key file that was registered"
        ),
    ):
        crypto.decrypt(envelope, other_issuer_key)


def test_decrypt__envelope_and_key_of_different_types__names_both(issuer_key, rsa_issuer_key):
    with pytest.raises(DecryptionError, match=r"HPKE \(X25519 key\).*this RSA key"):
        crypto.decrypt(crypto.encrypt(b"s", issuer_key.public_key()), rsa_issuer_key)
    with pytest.raises(DecryptionError, match=r"RSA-OAEP \(RSA key\).*this X25519 key"):
        crypto.decrypt(crypto.encrypt(b"s", rsa_issuer_key.public_key()), issuer_key)


@pytest.mark.parametrize("position", [1, 5, 20, 40, -1])
def test_hpke__tampered_anywhere__rejected(issuer_key, position):
    envelope = bytearray(crypto.encrypt(b"y" * 100, issuer_key.public_key()))
    envelope[position] ^= 0x01
    # the key id (bytes 1-4) is checked first; the rest by the AEAD (header bound via info)
    with pytest.raises(
        DecryptionError, match="key with id" if 0 < position < 5 else "corrupt or was altered"
    ):
        crypto.decrypt(bytes(envelope), issuer_key)


def test_hpke__version_byte_swapped__never_decrypts_as_another_scheme(issuer_key):
    envelope = bytearray(crypto.encrypt(b"y" * 100, issuer_key.public_key()))
    envelope[0] = crypto.VERSION_HYBRID
    with pytest.raises(
        DecryptionError,
        match=r"says version 2 \(RSA-OAEP \+ AES-GCM \(RSA key\)\) but "
        "was made for this X25519 key: the ciphertext is corrupt",
    ):
        crypto.decrypt(bytes(envelope), issuer_key)


def test_hpke__truncated__rejected(issuer_key):
    envelope = crypto.encrypt(b"z", issuer_key.public_key())
    with pytest.raises(DecryptionError, match="version-3 envelope is truncated"):
        crypto.decrypt(envelope[:40], issuer_key)
    with pytest.raises(DecryptionError, match="corrupt or was altered"):
        crypto.decrypt(envelope[:-1], issuer_key)


def test_public_key_from_der__unsupported_key_type__says_what_is_supported():
    from cryptography.hazmat.primitives.asymmetric import ec

    der = crypto.public_key_der(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ValueError, match="must be X25519 \\(the default\\) or RSA"):
        crypto.public_key_from_der(der)
    with pytest.raises(ValueError, match="not a DER SubjectPublicKeyInfo"):
        crypto.public_key_from_der(b"\x30\x00")


# --- envelopes written before version 3 keep decrypting ----------------------------------------

LEGACY = json.loads(
    (Path(__file__).parent / "vectors" / "legacy_rsa_envelopes.json").read_text("utf-8")
)


@pytest.mark.parametrize("version", [1, 2])
def test_legacy_rsa_envelopes__still_decrypt(version):
    key = serialization.load_pem_private_key(LEGACY["private_key_pem"].encode(), password=None)
    vector = LEGACY[f"version_{version}"]
    envelope = bytes.fromhex(vector["envelope"])
    assert envelope[0] == version
    assert crypto.decrypt(envelope, key) == vector["plaintext"].encode()
    assert decrypt_personal_data(envelope, key) == PersonalData.from_bytes(
        vector["plaintext"].encode()
    )


def test_decrypt_many__reads_each_and_reports_the_unreadable(issuer_key, other_issuer_key):
    good = encrypt_personal_data(TYPICAL, issuer_key.public_key())
    alien = encrypt_personal_data(TYPICAL, other_issuer_key.public_key())
    found = decrypt_many([good, alien, good[:-1]], issuer_key)
    assert found[0] == TYPICAL
    assert isinstance(found[1], DecryptionError) and "key with id" in str(found[1])
    assert isinstance(found[2], DecryptionError) and "corrupt" in str(found[2])
