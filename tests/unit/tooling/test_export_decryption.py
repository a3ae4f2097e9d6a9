"""The register export's background decryption (worker processes), as kabuto.ops.export and the
benchmark use it: every readable envelope decrypted in order, every unreadable one noted."""

from kabuto.crypto import KeyType
from kabuto.keys import KeyFiles, create_key_files
from kabuto.ops.export import collect_personal_data, decryption_pool, start_decryption
from kabuto.personal_data import PersonalData, encrypt_personal_data

ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_background_decryption__in_order__unreadable_ones_noted(tmp_path, other_issuer_key):
    files = KeyFiles.for_issuer(ISSUER, tmp_path)
    public = create_key_files(files).public_key()
    people = {
        f"INV-{i:03d}": PersonalData(name=f"投資家 {i}", address=f"東京都 {i}") for i in range(7)
    }
    ciphertexts = {k: encrypt_personal_data(p, public) for k, p in people.items()}
    ciphertexts["INV-100"] = encrypt_personal_data(people["INV-000"], other_issuer_key.public_key())
    ciphertexts["INV-101"] = ciphertexts["INV-001"][:-1]
    notes: list[str] = []
    with decryption_pool() as pool:
        found = collect_personal_data(
            ciphertexts,
            start_decryption(pool, files.private, list(ciphertexts.values())),
            files.private,
            notes,
        )
    assert found == people
    assert len(notes) == 2
    assert notes[0].startswith(
        f"INV-100: personal data not decryptable with {files.private}: the data was "
        "encrypted with HPKE (X25519 key) to the key with id"
    )
    assert notes[1].startswith("INV-101:") and "corrupt or was altered" in notes[1]


def test_background_decryption__rsa_key_file_still_read(tmp_path):
    files = KeyFiles.for_issuer(ISSUER, tmp_path)
    public = create_key_files(files, key_type=KeyType.RSA).public_key()
    person = PersonalData(name="山田 太郎", address="東京都千代田区")
    with decryption_pool() as pool:
        found = collect_personal_data(
            {"A": encrypt_personal_data(person, public)},
            start_decryption(pool, files.private, [encrypt_personal_data(person, public)]),
            files.private,
            [],
        )
    assert found == {"A": person}


def test_paused_gc__restores_the_previous_state():
    import gc

    from kabuto.bulk import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it as the outer one set it
    assert gc.isenabled()
