"""Pause, freeze (blocklist) with seizure of frozen balances, rescue, and role separation."""

import ape
import pytest
from yen_support import ALICE_START, BANK_ACCOUNT_REF, BOB_START, refusal, refusal_or_none

COURT_ORDER = b"TOKYO-DC-2026-WA-123".ljust(32, b"\0")

# ---------------------------------------------------------------- pause


def test_pause__stops_every_movement_and_new_approval(coin, pauser, bank, alice, bob):
    receipt = coin.pause(sender=pauser)
    assert coin.paused()
    assert receipt.events.filter(coin.Paused)[0].account == pauser.address
    with ape.reverts(coin.YenPaused):
        coin.transfer(bob, 1, sender=alice)
    with ape.reverts(coin.YenPaused):
        coin.mint(alice, 1, sender=bank)
    with ape.reverts(coin.YenPaused):
        coin.redeem(1, BANK_ACCOUNT_REF, sender=alice)
    with ape.reverts(coin.YenPaused):
        coin.approve(bob, 1, sender=alice)


def test_pause__allowance_granted_before__cannot_be_spent(coin, pauser, alice, bob):
    coin.approve(bob, 100, sender=alice)
    coin.pause(sender=pauser)
    with ape.reverts(coin.YenPaused):
        coin.transferFrom(alice, bob, 100, sender=bob)


def test_unpause__movements_resume(coin, pauser, alice, bob):
    coin.pause(sender=pauser)
    receipt = coin.unpause(sender=pauser)
    assert not coin.paused()
    assert receipt.events.filter(coin.Unpaused)[0].account == pauser.address
    coin.transfer(bob, 1, sender=alice)
    assert coin.balanceOf(bob) == BOB_START + 1


def test_pause__twice_or_unpause_when_running__reverts(coin, pauser):
    with ape.reverts(coin.YenNotPaused):
        coin.unpause(sender=pauser)
    coin.pause(sender=pauser)
    with ape.reverts(coin.YenPaused):
        coin.pause(sender=pauser)


# ---------------------------------------------------------------- freeze


def test_freeze__frozen_account_cannot_send(coin, blocklister, alice, bob):
    receipt = coin.freeze(alice, sender=blocklister)
    event = receipt.events.filter(coin.AccountFrozen)[0]
    assert (event.account, event.blocklister) == (alice.address, blocklister.address)
    assert coin.isFrozen(alice)
    with ape.reverts(coin.YenAccountFrozen, account=alice.address):
        coin.transfer(bob, 1, sender=alice)
    with ape.reverts(coin.YenAccountFrozen, account=alice.address):
        coin.redeem(1, BANK_ACCOUNT_REF, sender=alice)


def test_freeze__frozen_account_cannot_receive(coin, blocklister, bank, alice, bob):
    coin.freeze(bob, sender=blocklister)
    with ape.reverts(coin.YenAccountFrozen, account=bob.address):
        coin.transfer(bob, 1, sender=alice)
    with ape.reverts(coin.YenAccountFrozen, account=bob.address):
        coin.mint(bob, 1, sender=bank)


def test_freeze__frozen_account_cannot_approve_or_be_approved(coin, blocklister, alice, bob):
    coin.freeze(alice, sender=blocklister)
    with ape.reverts(coin.YenAccountFrozen, account=alice.address):
        coin.approve(bob, 1, sender=alice)
    with ape.reverts(coin.YenAccountFrozen, account=alice.address):
        coin.approve(alice, 1, sender=bob)


def test_freeze__frozen_spender_cannot_use_earlier_allowance(coin, blocklister, alice, bob):
    coin.approve(bob, 100, sender=alice)
    coin.freeze(bob, sender=blocklister)
    with ape.reverts(coin.YenAccountFrozen, account=bob.address):
        coin.transferFrom(alice, alice, 100, sender=bob)


def test_freeze__frozen_owner_allowance_cannot_be_pulled(coin, blocklister, alice, bob):
    coin.approve(bob, 100, sender=alice)
    coin.freeze(alice, sender=blocklister)
    with ape.reverts(coin.YenAccountFrozen, account=alice.address):
        coin.transferFrom(alice, bob, 100, sender=bob)


def test_freeze__frozen_minter_cannot_mint(coin, blocklister, bank, alice):
    coin.freeze(bank, sender=blocklister)
    with ape.reverts(coin.YenAccountFrozen, account=bank.address):
        coin.mint(alice, 1, sender=bank)


def test_unfreeze__account_moves_again(coin, blocklister, alice, bob):
    coin.freeze(alice, sender=blocklister)
    receipt = coin.unfreeze(alice, sender=blocklister)
    assert receipt.events.filter(coin.AccountUnfrozen)[0].account == alice.address
    assert not coin.isFrozen(alice)
    coin.transfer(bob, 5, sender=alice)
    assert coin.balanceOf(alice) == ALICE_START - 5


def test_freeze__twice_or_unfreeze_unfrozen__reverts(coin, blocklister, alice):
    with ape.reverts(coin.YenAccountNotFrozen, account=alice.address):
        coin.unfreeze(alice, sender=blocklister)
    coin.freeze(alice, sender=blocklister)
    with ape.reverts(coin.YenAccountFrozen, account=alice.address):
        coin.freeze(alice, sender=blocklister)


# ---------------------------------------------------------------- seizure


def test_seize_frozen__moves_whole_balance_with_reason(coin, blocklister, seizer, bank, alice):
    coin.freeze(alice, sender=blocklister)
    supply = coin.totalSupply()
    receipt = coin.seizeFrozen(alice, bank, COURT_ORDER, sender=seizer)

    assert coin.balanceOf(alice) == 0
    assert coin.balanceOf(bank) == ALICE_START
    assert coin.totalSupply() == supply
    assert coin.isFrozen(alice), "the account stays frozen after the seizure"
    [seized] = receipt.events.filter(coin.FrozenBalanceSeized)
    assert seized.account == alice.address and seized.to == bank.address
    assert seized.amount == ALICE_START and seized.reason == COURT_ORDER
    assert seized.seizer == seizer.address
    [transfer] = receipt.events.filter(coin.Transfer)
    assert (transfer["from"], transfer.to, transfer.value) == (
        alice.address,
        bank.address,
        ALICE_START,
    )


def test_seize_frozen__account_not_frozen__reverts(coin, seizer, bank, alice):
    with ape.reverts(coin.YenAccountNotFrozen, account=alice.address):
        coin.seizeFrozen(alice, bank, COURT_ORDER, sender=seizer)


def test_seize_frozen__to_frozen_account__reverts(coin, blocklister, seizer, alice, bob):
    coin.freeze(alice, sender=blocklister)
    coin.freeze(bob, sender=blocklister)
    with ape.reverts(coin.YenAccountFrozen, account=bob.address):
        coin.seizeFrozen(alice, bob, COURT_ORDER, sender=seizer)


def test_seize_frozen__while_paused__reverts(coin, pauser, blocklister, seizer, bank, alice):
    coin.freeze(alice, sender=blocklister)
    coin.pause(sender=pauser)
    with ape.reverts(coin.YenPaused):
        coin.seizeFrozen(alice, bank, COURT_ORDER, sender=seizer)


def test_seize_frozen__empty_balance__reverts(coin, blocklister, seizer, bank, outsider):
    coin.freeze(outsider, sender=blocklister)
    with ape.reverts(coin.YenZeroAmount):
        coin.seizeFrozen(outsider, bank, COURT_ORDER, sender=seizer)


def test_seize_frozen__to_ineligible_in_eligibility_mode__reverts(
    coin, registry, admin, blocklister, seizer, alice, outsider
):
    registry.setEligible(alice, True, sender=admin)
    coin.setEligibilityRequired(True, sender=admin)
    coin.freeze(alice, sender=blocklister)
    with ape.reverts(coin.YenNotEligible, account=outsider.address):
        coin.seizeFrozen(alice, outsider, COURT_ORDER, sender=seizer)


# ---------------------------------------------------------------- rescue


@pytest.fixture
def stray_token(project, outsider, coin):
    """An outside ERC-20 of which 1,000 units were sent to the coin contract by mistake."""
    token = project.PlainERC20.deploy("Stray", "STRAY", 10_000, sender=outsider)
    token.transfer(coin, 1_000, sender=outsider)
    return token


def test_rescue_erc20__returns_tokens_sent_by_mistake(coin, rescuer, stray_token, outsider):
    receipt = coin.rescueERC20(stray_token, outsider, 1_000, sender=rescuer)
    assert stray_token.balanceOf(coin) == 0
    assert stray_token.balanceOf(outsider) == 10_000
    [event] = receipt.events.filter(coin.TokensRescued)
    assert (event.token, event.to, event.amount, event.rescuer) == (
        stray_token.address,
        outsider.address,
        1_000,
        rescuer.address,
    )


def test_rescue_erc20__more_than_held__reverts(coin, rescuer, stray_token, outsider):
    with ape.reverts(
        coin.ERC20InsufficientBalance, sender=coin.address, balance=1_000, needed=1_001
    ):
        coin.rescueERC20(stray_token, outsider, 1_001, sender=rescuer)


def test_transfer_to_the_coin_itself__reverts(coin, alice):
    with ape.reverts(coin.ERC20InvalidReceiver, receiver=coin.address):
        coin.transfer(coin, 1, sender=alice)


# ---------------------------------------------------------------- role separation

# power -> (role constant, function, arguments built from the named accounts)
POWERS = {
    "master_minter": ("MASTER_MINTER_ROLE", "configureMinter", lambda a: (a["alice"], 1)),
    "pauser": ("PAUSER_ROLE", "pause", lambda a: ()),
    "blocklister": ("BLOCKLISTER_ROLE", "freeze", lambda a: (a["alice"],)),
    "seizer": ("SEIZER_ROLE", "seizeFrozen", lambda a: (a["alice"], a["bob"], COURT_ORDER)),
    "rescuer": ("RESCUER_ROLE", "rescueERC20", lambda a: (a["coin"], a["bob"], 0)),
    "admin": ("DEFAULT_ADMIN_ROLE", "setSystemAccount", lambda a: (a["alice"], True)),
}
ADMIN_ONLY = {
    "setRegistry": lambda a: (a["alice"],),
    "setEligibilityRequired": lambda a: (True,),
    "grantRole": lambda a: (a["coin"].PAUSER_ROLE(), a["alice"]),
    "revokeRole": lambda a: (a["coin"].PAUSER_ROLE(), a["pauser"]),
}


@pytest.fixture
def named(coin, alice, bob, pauser):
    return {"coin": coin, "alice": alice, "bob": bob, "pauser": pauser}


@pytest.mark.parametrize("power", sorted(POWERS))
def test_role_separation__each_power_refused_for_every_other_role(
    coin, role_holders, named, alice, outsider, power
):
    role_name, method, make_args = POWERS[power]
    role = getattr(coin, role_name)()
    others = [acct for name, acct in role_holders.items() if name != power] + [alice, outsider]
    for account in others:
        error = refusal(coin, method, *make_args(named), sender=account)
        assert isinstance(error, coin.AccessControlUnauthorizedAccount), (power, account, error)
        assert error.inputs == {"account": account.address, "neededRole": role}
    # the holder itself passes the role check (it may still be refused by the operation's rules)
    holder_error = refusal_or_none(coin, method, *make_args(named), sender=role_holders[power])
    assert not isinstance(holder_error, coin.AccessControlUnauthorizedAccount)


@pytest.mark.parametrize("method", sorted(ADMIN_ONLY))
def test_role_separation__configuration_is_admin_only(coin, role_holders, named, method):
    role = coin.DEFAULT_ADMIN_ROLE()
    for name, account in role_holders.items():
        if name == "admin":
            continue
        error = refusal(coin, method, *ADMIN_ONLY[method](named), sender=account)
        assert isinstance(error, coin.AccessControlUnauthorizedAccount), (method, name, error)
        assert error.inputs["account"] == account.address and error.inputs["neededRole"] == role


def test_role_separation__minting_and_burning_need_a_configured_minter(coin, role_holders, alice):
    for name, account in role_holders.items():
        if name == "minter":
            continue
        for method, args in (("mint", (alice, 1)), ("burn", (1,))):
            error = refusal(coin, method, *args, sender=account)
            assert isinstance(error, coin.YenNotMinter), (method, name, error)
            assert error.inputs == {"caller": account.address}
