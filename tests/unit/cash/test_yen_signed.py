"""EIP-2612 permit and EIP-3009 authorizations signed with eth-account's typed-data signing."""

import pytest
from eth_utils import keccak
from yen_support import ALICE_START, BOB_START, expect_refusal

from kabuto.signing import (
    CancelAuthorization,
    Permit,
    ReceiveWithAuthorization,
    TransferWithAuthorization,
    random_nonce,
)

HOUR = 3600


@pytest.fixture
def now(chain):
    """The timestamp the next transaction will carry."""
    return chain.pending_timestamp


@pytest.fixture
def authorize(now):
    """Factory: an authorization of `kind` valid from now for an hour, with a fresh random nonce."""

    def _authorize(kind, sender, to, value, **overrides):
        fields = {
            "from_address": sender.address,
            "to": to.address,
            "value": value,
            "valid_after": 0,
            "valid_before": now + HOUR,
            "nonce": random_nonce(),
        }
        fields.update(overrides)
        return kind(**fields)

    return _authorize


def _transfer_args(auth, sig):
    return (*auth.call_args(), sig.v, sig.r, sig.s)


# ---------------------------------------------------------------- domain


def test_domain__eip712_name_version_chain_and_contract(coin, chain, domain):
    assert (domain.name, domain.version) == ("Kabuto Trust Yen", "1")
    assert domain.chain_id == chain.chain_id
    assert domain.verifying_contract == coin.address


def test_typehashes__match_the_standard_type_strings(coin):
    auth = (
        "address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce"
    )
    assert coin.TRANSFER_WITH_AUTHORIZATION_TYPEHASH() == keccak(
        text=f"TransferWithAuthorization({auth})"
    )
    assert coin.RECEIVE_WITH_AUTHORIZATION_TYPEHASH() == keccak(
        text=f"ReceiveWithAuthorization({auth})"
    )
    assert coin.CANCEL_AUTHORIZATION_TYPEHASH() == keccak(
        text="CancelAuthorization(address authorizer,bytes32 nonce)"
    )


# ---------------------------------------------------------------- permit


def test_permit__accepted_then_spender_pulls(coin, sign, now, alice, bob, outsider):
    permit = Permit(alice.address, bob.address, 700, coin.nonces(alice), now + HOUR)
    sig = sign(alice, permit)
    receipt = coin.permit(*permit.call_args(), sig.v, sig.r, sig.s, sender=outsider)  # relayed

    assert coin.allowance(alice, bob) == 700
    assert coin.nonces(alice) == permit.nonce + 1
    approval = receipt.events.filter(coin.Approval)[0]
    assert (approval.owner, approval.spender, approval.value) == (alice.address, bob.address, 700)
    coin.transferFrom(alice, bob, 700, sender=bob)
    assert coin.balanceOf(bob) == BOB_START + 700


def test_permit__replayed__refused(coin, sign, now, alice, bob):
    permit = Permit(alice.address, bob.address, 700, coin.nonces(alice), now + HOUR)
    sig = sign(alice, permit)
    coin.permit(*permit.call_args(), sig.v, sig.r, sig.s, sender=bob)
    expect_refusal(
        coin, "permit", *permit.call_args(), sig.v, sig.r, sig.s,
        sender=bob, error=coin.ERC2612InvalidSigner, owner=alice.address,
    )  # fmt: skip


def test_permit__expired__refused(coin, sign, now, alice, bob):
    permit = Permit(alice.address, bob.address, 1, coin.nonces(alice), now - 1)
    sig = sign(alice, permit)
    expect_refusal(
        coin, "permit", *permit.call_args(), sig.v, sig.r, sig.s,
        sender=bob, error=coin.ERC2612ExpiredSignature, deadline=now - 1,
    )  # fmt: skip


def test_permit__signed_by_someone_else__refused(coin, sign, now, alice, bob):
    permit = Permit(alice.address, bob.address, 1, coin.nonces(alice), now + HOUR)
    sig = sign(bob, permit)
    expect_refusal(
        coin, "permit", *permit.call_args(), sig.v, sig.r, sig.s,
        sender=bob, error=coin.ERC2612InvalidSigner, signer=bob.address, owner=alice.address,
    )  # fmt: skip


def test_permit__frozen_owner__refused(coin, sign, now, blocklister, alice, bob):
    coin.freeze(alice, sender=blocklister)
    permit = Permit(alice.address, bob.address, 1, coin.nonces(alice), now + HOUR)
    sig = sign(alice, permit)
    expect_refusal(
        coin, "permit", *permit.call_args(), sig.v, sig.r, sig.s,
        sender=bob, error=coin.YenAccountFrozen, account=alice.address,
    )  # fmt: skip


# ---------------------------------------------------------------- transferWithAuthorization


def test_transfer_with_authorization__relayed_and_events(
    coin, sign, authorize, alice, bob, outsider
):
    auth = authorize(TransferWithAuthorization, alice, bob, 12_345)
    receipt = coin.transferWithAuthorization(
        *_transfer_args(auth, sign(alice, auth)), sender=outsider
    )

    assert coin.balanceOf(alice) == ALICE_START - 12_345
    assert coin.balanceOf(bob) == BOB_START + 12_345
    assert coin.authorizationState(alice, auth.nonce)
    [used] = receipt.events.filter(coin.AuthorizationUsed)
    assert (used.authorizer, used.nonce) == (alice.address, auth.nonce)
    [transfer] = receipt.events.filter(coin.Transfer)
    assert (transfer["from"], transfer.to, transfer.value) == (alice.address, bob.address, 12_345)


def test_transfer_with_authorization__replayed__refused(
    coin, sign, authorize, alice, bob, outsider
):
    auth = authorize(TransferWithAuthorization, alice, bob, 10)
    args = _transfer_args(auth, sign(alice, auth))
    coin.transferWithAuthorization(*args, sender=outsider)
    expect_refusal(
        coin, "transferWithAuthorization", *args, sender=outsider,
        error=coin.AuthorizationAlreadyUsed, authorizer=alice.address, nonce=auth.nonce,
    )  # fmt: skip


def test_transfer_with_authorization__expired__refused(coin, sign, authorize, now, alice, bob):
    auth = authorize(TransferWithAuthorization, alice, bob, 10, valid_before=now - 1)
    expect_refusal(
        coin, "transferWithAuthorization", *_transfer_args(auth, sign(alice, auth)), sender=bob,
        error=coin.AuthorizationExpired, validBefore=now - 1,
    )  # fmt: skip


def test_transfer_with_authorization__not_yet_valid__refused_then_accepted(
    coin, chain, sign, authorize, now, alice, bob
):
    auth = authorize(TransferWithAuthorization, alice, bob, 10, valid_after=now + HOUR,
                     valid_before=now + 2 * HOUR)  # fmt: skip
    args = _transfer_args(auth, sign(alice, auth))
    expect_refusal(
        coin, "transferWithAuthorization", *args, sender=bob,
        error=coin.AuthorizationNotYetValid, validAfter=now + HOUR,
    )  # fmt: skip
    chain.pending_timestamp = now + HOUR + 1
    coin.transferWithAuthorization(*args, sender=bob)
    assert coin.balanceOf(bob) == BOB_START + 10


def test_transfer_with_authorization__wrong_signer__refused(coin, sign, authorize, alice, bob):
    auth = authorize(TransferWithAuthorization, alice, bob, 10)
    expect_refusal(
        coin, "transferWithAuthorization", *_transfer_args(auth, sign(bob, auth)), sender=bob,
        error=coin.AuthorizationInvalidSignature, authorizer=alice.address,
    )  # fmt: skip


def test_transfer_with_authorization__tampered_value__refused(coin, sign, authorize, alice, bob):
    auth = authorize(TransferWithAuthorization, alice, bob, 10)
    sig = sign(alice, auth)
    tampered = (*auth.call_args()[:2], 10_000, *auth.call_args()[3:], sig.v, sig.r, sig.s)
    expect_refusal(
        coin, "transferWithAuthorization", *tampered, sender=bob,
        error=coin.AuthorizationInvalidSignature, authorizer=alice.address,
    )  # fmt: skip


def test_transfer_with_authorization__frozen_sender__refused(
    coin, sign, authorize, blocklister, alice, bob
):
    coin.freeze(alice, sender=blocklister)
    auth = authorize(TransferWithAuthorization, alice, bob, 10)
    expect_refusal(
        coin, "transferWithAuthorization", *_transfer_args(auth, sign(alice, auth)), sender=bob,
        error=coin.YenAccountFrozen, account=alice.address,
    )  # fmt: skip


def test_transfer_with_authorization__packed_signature_overload(coin, sign, authorize, alice, bob):
    auth = authorize(TransferWithAuthorization, alice, bob, 10)
    coin.transferWithAuthorization(*auth.call_args(), sign(alice, auth).packed, sender=bob)
    assert coin.authorizationState(alice, auth.nonce)


def test_transfer_with_authorization__erc1271_wallet(
    coin, project, sign, authorize, bank, alice, bob
):
    """A contract wallet (e.g. a corporate multisig) authorizes through ERC-1271."""
    wallet = project.ERC1271TestWallet.deploy(alice, sender=alice)
    coin.mint(wallet, 1_000, sender=bank)
    auth = authorize(TransferWithAuthorization, wallet, bob, 400)
    expect_refusal(
        coin, "transferWithAuthorization", *auth.call_args(), sign(bob, auth).packed, sender=bob,
        error=coin.AuthorizationInvalidSignature, authorizer=wallet.address,
    )  # fmt: skip
    coin.transferWithAuthorization(*auth.call_args(), sign(alice, auth).packed, sender=bob)
    assert coin.balanceOf(wallet) == 600


# ---------------------------------------------------------------- receiveWithAuthorization


def test_receive_with_authorization__payee_submits(coin, sign, authorize, alice, bob):
    auth = authorize(ReceiveWithAuthorization, alice, bob, 99)
    receipt = coin.receiveWithAuthorization(*_transfer_args(auth, sign(alice, auth)), sender=bob)
    assert coin.balanceOf(bob) == BOB_START + 99
    assert receipt.events.filter(coin.AuthorizationUsed)[0].nonce == auth.nonce


def test_receive_with_authorization__caller_not_payee__refused(
    coin, sign, authorize, alice, bob, outsider
):
    auth = authorize(ReceiveWithAuthorization, alice, bob, 99)
    expect_refusal(
        coin, "receiveWithAuthorization", *_transfer_args(auth, sign(alice, auth)), sender=outsider,
        error=coin.AuthorizationCallerNotPayee, caller=outsider.address, payee=bob.address,
    )  # fmt: skip


def test_receive_with_authorization__transfer_signature_not_interchangeable(
    coin, sign, authorize, alice, bob
):
    auth = authorize(TransferWithAuthorization, alice, bob, 99)
    expect_refusal(
        coin, "receiveWithAuthorization", *_transfer_args(auth, sign(alice, auth)), sender=bob,
        error=coin.AuthorizationInvalidSignature, authorizer=alice.address,
    )  # fmt: skip


def test_receive_with_authorization__replayed_and_expired__refused(
    coin, sign, authorize, now, alice, bob
):
    auth = authorize(ReceiveWithAuthorization, alice, bob, 5)
    args = _transfer_args(auth, sign(alice, auth))
    coin.receiveWithAuthorization(*args, sender=bob)
    expect_refusal(coin, "receiveWithAuthorization", *args, sender=bob,
                   error=coin.AuthorizationAlreadyUsed, nonce=auth.nonce)  # fmt: skip
    late = authorize(ReceiveWithAuthorization, alice, bob, 5, valid_before=now - 1)
    expect_refusal(coin, "receiveWithAuthorization", *_transfer_args(late, sign(alice, late)),
                   sender=bob, error=coin.AuthorizationExpired)  # fmt: skip


# ---------------------------------------------------------------- cancelAuthorization


def test_cancel_authorization__cancelled_nonce_cannot_be_used(
    coin, sign, authorize, alice, bob, outsider
):
    auth = authorize(TransferWithAuthorization, alice, bob, 10)
    transfer_args = _transfer_args(auth, sign(alice, auth))
    cancel = CancelAuthorization(alice.address, auth.nonce)
    sig = sign(alice, cancel)
    receipt = coin.cancelAuthorization(*cancel.call_args(), sig.v, sig.r, sig.s, sender=outsider)

    [event] = receipt.events.filter(coin.AuthorizationCanceled)
    assert (event.authorizer, event.nonce) == (alice.address, auth.nonce)
    assert coin.authorizationState(alice, auth.nonce)
    expect_refusal(coin, "transferWithAuthorization", *transfer_args, sender=outsider,
                   error=coin.AuthorizationAlreadyUsed, authorizer=alice.address)  # fmt: skip
    expect_refusal(coin, "cancelAuthorization", *cancel.call_args(), sig.v, sig.r, sig.s,
                   sender=outsider, error=coin.AuthorizationAlreadyUsed)  # fmt: skip
    assert coin.balanceOf(alice) == ALICE_START


def test_cancel_authorization__wrong_signer__refused(coin, sign, alice, bob):
    cancel = CancelAuthorization(alice.address, random_nonce())
    sig = sign(bob, cancel)
    expect_refusal(coin, "cancelAuthorization", *cancel.call_args(), sig.v, sig.r, sig.s,
                   sender=bob, error=coin.AuthorizationInvalidSignature,
                   authorizer=alice.address)  # fmt: skip


def test_cancel_authorization__used_nonce__refused(coin, sign, authorize, alice, bob):
    auth = authorize(TransferWithAuthorization, alice, bob, 10)
    coin.transferWithAuthorization(*_transfer_args(auth, sign(alice, auth)), sender=bob)
    cancel = CancelAuthorization(alice.address, auth.nonce)
    expect_refusal(coin, "cancelAuthorization", *cancel.call_args(), sign(alice, cancel).packed,
                   sender=alice, error=coin.AuthorizationAlreadyUsed)  # fmt: skip


def test_cancel_authorization__works_while_paused(coin, sign, pauser, alice, outsider):
    """Cancelling only burns a nonce, so a holder can still revoke a signature during an incident."""
    coin.pause(sender=pauser)
    cancel = CancelAuthorization(alice.address, random_nonce())
    coin.cancelAuthorization(*cancel.call_args(), sign(alice, cancel).packed, sender=outsider)
    assert coin.authorizationState(alice, cancel.nonce)
