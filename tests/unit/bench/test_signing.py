"""The bench's fast signer (kabuto.bench.signing) against eth-account's: the same address for a
key and byte-for-byte the same signed transaction."""

import os

import pytest
from eth_account import Account

from kabuto.bench.signing import sign_call, wallet


@pytest.mark.parametrize("seed", range(12))
def test_wallet__address_same_as_eth_account(seed):
    signer = wallet(f"tests.signing.{seed}")
    assert signer.address == Account.from_key(signer.key.secret).address


# nonces and gas across RLP's one-byte, short-string and zero encodings; data lengths across
# the short (<= 55 bytes) and long string forms, and the long list form
@pytest.mark.parametrize(
    ("nonce", "gas", "data_length", "chain_id"),
    [
        (0, 21_000, 0, 1337),
        (1, 60_000, 4, 1337),
        (127, 90_000, 55, 2017),
        (128, 1_000_000, 56, 31337),
        (300, 75_123, 68, 1),
        (2**40, 10**9, 1_000, 1337),
    ],
)
def test_sign_call__same_bytes_as_eth_account(nonce, gas, data_length, chain_id):
    signer = wallet(f"tests.signing.call.{nonce}")
    to = Account.create().address
    data = os.urandom(data_length)
    ours = sign_call(signer, nonce=nonce, gas=gas, to=to, data=data, chain_id=chain_id)
    theirs = Account.sign_transaction(
        {
            "nonce": nonce,
            "gasPrice": 0,
            "gas": gas,
            "to": to,
            "value": 0,
            "data": data,
            "chainId": chain_id,
        },
        signer.key.secret,
    )
    assert ours == bytes(theirs.raw_transaction)
    assert Account.recover_transaction(ours) == signer.address
