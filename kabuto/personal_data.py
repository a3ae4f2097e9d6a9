"""Investor personal data (name and address, Japanese text) and its on-chain form.

The data is serialised deterministically (NFC-normalised text, JSON with sorted keys, no
spaces, UTF-8) so that the same person always gives the same plaintext, then encrypted to
the issuer's key (:mod:`kabuto.crypto`). The registry keeps nothing in storage: the ciphertext
and its ``keccak256`` travel in its ``PersonalDataStored`` event.
"""

from __future__ import annotations

import json
import unicodedata

from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kabuto import crypto
from kabuto.errors import DecryptionError

MAX_NAME_CHARS = 100
MAX_ADDRESS_CHARS = 200


class PersonalData(BaseModel):
    """What the bond / beneficiary register needs about a holder (Companies Act art. 681 (4))."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    address: str = Field(min_length=1, max_length=MAX_ADDRESS_CHARS)

    @field_validator("name", "address", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> object:
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value.strip())
        return value

    def to_bytes(self) -> bytes:
        """The deterministic plaintext (same person, same bytes)."""
        return json.dumps(
            self.model_dump(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> PersonalData:
        try:
            return cls.model_validate(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            raise DecryptionError(f"decrypted data is not Kabuto personal data: {exc}") from exc


def encrypt_personal_data(data: PersonalData, public_key: crypto.PublicKey) -> bytes:
    """The ciphertext for `onboardInvestor` / `setPersonalData`."""
    return crypto.encrypt(data.to_bytes(), public_key)


def decrypt_personal_data(ciphertext: bytes, private_key: crypto.PrivateKey) -> PersonalData:
    return PersonalData.from_bytes(crypto.decrypt(ciphertext, private_key))


def decrypt_many(
    ciphertexts: list[bytes], private_key: crypto.PrivateKey
) -> list[PersonalData | DecryptionError]:
    """Each ciphertext's personal data, or the error that says why it cannot be read (the
    register notes it and goes on)."""
    decryptor = crypto.Decryptor(private_key)
    found: list[PersonalData | DecryptionError] = []
    for ciphertext in ciphertexts:
        try:
            found.append(PersonalData.from_bytes(decryptor.decrypt(ciphertext)))
        except DecryptionError as exc:
            found.append(exc)
    return found


def data_hash(ciphertext: bytes) -> bytes:
    """keccak256 of the ciphertext: the `dataHash` of its `PersonalDataStored` event."""
    return keccak(ciphertext)
