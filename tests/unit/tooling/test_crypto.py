import pytest

from kabuto import crypto
from kabuto.errors import DecryptionError
from kabuto.personal_data import (PersonalData, data_hash, decrypt_personal_data,
                                   encrypt_personal_data)

TYPICAL = PersonalData(name="山田 太郎", address="東京都千代田区丸の内一丁目1番1号 丸の内ビルディング10階")


def test_encrypt__short_data__one_rsa_block_envelope(issuer_key):
    envelope = crypto.encrypt(b"hello", issuer_key.public_key())
    assert envelope[0] == crypto.VERSION_RSA
    assert len(envelope) == 1 + crypto.KEY_ID_BYTES + 256
    assert crypto.decrypt(envelope, issuer_key) == b"hello"


def test_encrypt__typical_japanese_name_and_address__fits_one_block_261_bytes(issuer_key):
    plaintext = TYPICAL.to_bytes()
    assert len(plaintext) <= crypto.max_direct_plaintext(issuer_key.public_key()) == 190
    envelope = encrypt_personal_data(TYPICAL, issuer_key.public_key())
    assert len(envelope) == 261
    assert decrypt_personal_data(envelope, issuer_key) == TYPICAL


@pytest.mark.parametrize("size", [191, 1_000, 10_000])
def test_encrypt__longer_than_one_block__hybrid_round_trip(issuer_key, size):
    plaintext = ("東" * size).encode()[:size]
    envelope = crypto.encrypt(plaintext, issuer_key.public_key())
    assert envelope[0] == crypto.VERSION_HYBRID
    assert len(envelope) == 1 + crypto.KEY_ID_BYTES + 256 + size + 16
    assert crypto.decrypt(envelope, issuer_key) == plaintext


def test_encrypt__same_data_twice__different_ciphertexts(issuer_key):
    public = issuer_key.public_key()
    assert crypto.encrypt(b"x" * 500, public) != crypto.encrypt(b"x" * 500, public)
    assert crypto.encrypt(b"x", public) != crypto.encrypt(b"x", public)


def test_decrypt__other_issuers_key__names_both_key_ids(issuer_key, other_issuer_key):
    envelope = crypto.encrypt(b"secret", issuer_key.public_key())
    with pytest.raises(DecryptionError, match="encrypted to the key with id"):
        crypto.decrypt(envelope, other_issuer_key)


@pytest.mark.parametrize("position", [10, -1, -20])
def test_decrypt__tampered_hybrid_envelope__integrity_error(issuer_key, position):
    envelope = bytearray(crypto.encrypt(b"y" * 400, issuer_key.public_key()))
    envelope[position] ^= 0x01
    with pytest.raises(DecryptionError, match="corrupt or was altered"):
        crypto.decrypt(bytes(envelope), issuer_key)


def test_decrypt__tampered_header__rejected(issuer_key):
    envelope = bytearray(crypto.encrypt(b"y" * 400, issuer_key.public_key()))
    envelope[0] = 7
    with pytest.raises(DecryptionError, match="unknown envelope version 7"):
        crypto.decrypt(bytes(envelope), issuer_key)


def test_decrypt__truncated__rejected(issuer_key):
    with pytest.raises(DecryptionError, match="too short"):
        crypto.decrypt(b"\x01\x00", issuer_key)
    envelope = crypto.encrypt(b"z", issuer_key.public_key())
    with pytest.raises(DecryptionError, match="must carry 256 bytes"):
        crypto.decrypt(envelope[:-1], issuer_key)


def test_rsa_3072__round_trip_and_larger_block():
    key = crypto.generate_private_key(3072)
    envelope = crypto.encrypt(TYPICAL.to_bytes(), key.public_key())
    assert len(envelope) == 1 + crypto.KEY_ID_BYTES + 384
    assert crypto.decrypt(envelope, key) == TYPICAL.to_bytes()


def test_generate__unsupported_size__rejected():
    with pytest.raises(ValueError, match="2048, 3072"):
        crypto.generate_private_key(1024)


def test_public_key_der__round_trip_keeps_fingerprint(issuer_key):
    public = issuer_key.public_key()
    der = crypto.public_key_der(public)
    assert len(der) == 294
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
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
