"""kabuto.signing builds standard EIP-712 typed data and refuses malformed input (no chain needed)."""

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address

from kabuto.signing import (
    CancelAuthorization,
    Eip712Domain,
    Permit,
    ReceiveWithAuthorization,
    SigningError,
    TransferWithAuthorization,
    random_nonce,
    recover_signer,
    sign_typed,
    typed_data,
)

TOKEN = "0x" + "ab" * 20
DOMAIN = Eip712Domain("Kabuto Trust Yen", "1", 1010032, TOKEN)
KEY = Account.create()
OTHER = "0x" + "cd" * 20


def test_typed_data__permit_shape():
    data = typed_data(DOMAIN, Permit(KEY.address, OTHER, 5, 0, 99))
    assert data["primaryType"] == "Permit"
    assert [m["name"] for m in data["types"]["Permit"]] == [
        "owner",
        "spender",
        "value",
        "nonce",
        "deadline",
    ]
    assert data["domain"] == {
        "name": "Kabuto Trust Yen",
        "version": "1",
        "chainId": 1010032,
        "verifyingContract": to_checksum_address(TOKEN),
    }


@pytest.mark.parametrize(
    "message",
    [
        Permit(KEY.address, OTHER, 5, 3, 99),
        TransferWithAuthorization(KEY.address, OTHER, 5, 0, 99, random_nonce()),
        ReceiveWithAuthorization(KEY.address, OTHER, 5, 0, 99, random_nonce()),
        CancelAuthorization(KEY.address, random_nonce()),
    ],
    ids=lambda m: m.PRIMARY_TYPE,
)
def test_sign_typed__recovers_to_signer(message):
    signature = sign_typed(KEY.key, DOMAIN, message)
    assert recover_signer(DOMAIN, message, signature) == KEY.address
    # the same bytes eth-account produces for the full message
    expected = Account.sign_message(
        encode_typed_data(full_message=typed_data(DOMAIN, message)), KEY.key
    )
    assert signature.packed == expected.signature


def test_receive_and_transfer__different_primary_types_different_signatures():
    nonce = random_nonce()
    transfer = TransferWithAuthorization(KEY.address, OTHER, 5, 0, 99, nonce)
    receive = ReceiveWithAuthorization(KEY.address, OTHER, 5, 0, 99, nonce)
    assert typed_data(DOMAIN, receive)["primaryType"] == "ReceiveWithAuthorization"
    assert sign_typed(KEY.key, DOMAIN, transfer) != sign_typed(KEY.key, DOMAIN, receive)


def test_other_domain__other_signature():
    message = CancelAuthorization(KEY.address, random_nonce())
    other_chain = Eip712Domain("Kabuto Trust Yen", "1", 1, TOKEN)
    signature = sign_typed(KEY.key, other_chain, message)
    assert recover_signer(DOMAIN, message, signature) != KEY.address


def test_random_nonce__32_fresh_bytes():
    assert len(random_nonce()) == 32 and random_nonce() != random_nonce()


def test_call_args__in_contract_order():
    nonce = random_nonce()
    auth = TransferWithAuthorization(KEY.address, OTHER, 5, 1, 99, nonce)
    assert auth.call_args() == (KEY.address, auth.to, 5, 1, 99, nonce)
    assert Permit(KEY.address, OTHER, 5, 3, 99).call_args()[2:] == (5, 99)


@pytest.mark.parametrize(
    "build, field",
    [
        (lambda: Permit("0x1234", OTHER, 1, 0, 1), "owner"),
        (lambda: Permit(KEY.address, OTHER, -1, 0, 1), "value"),
        (lambda: Permit(KEY.address, OTHER, 2**256, 0, 1), "value"),
        (lambda: TransferWithAuthorization(KEY.address, OTHER, 1, 0, 1, b"\x01" * 31), "nonce"),
        (lambda: CancelAuthorization(KEY.address, "0xzz"), "nonce"),
        (lambda: Eip712Domain("", "1", 1, TOKEN), "name"),
        (lambda: Eip712Domain("Yen", "1", 1, "not an address"), "verifying_contract"),
    ],
)
def test_invalid_input__error_names_the_field(build, field):
    with pytest.raises(SigningError, match=field):
        build()


def test_from_eip5267__reads_standard_domain_and_refuses_salt():
    domain = Eip712Domain.from_eip5267(
        (b"\x0f", "Kabuto Trust Yen", "1", 1010032, TOKEN, b"\0" * 32, [])
    )
    assert domain == DOMAIN
    with pytest.raises(SigningError, match="fields bitmap"):
        Eip712Domain.from_eip5267((b"\x1f", "Yen", "1", 1, TOKEN, b"\1" * 32, []))
