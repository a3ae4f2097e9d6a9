"""Minters with allowances, minter burns and redemption by holders."""

import ape
from yen_support import (
    ALICE_START,
    BANK_ACCOUNT_REF,
    BANK_MINT_ALLOWANCE,
    BOB_START,
    ZERO_ADDRESS,
)


def test_metadata__one_unit_is_one_yen(coin):
    assert coin.decimals() == 0
    assert coin.name() == "Kabuto Trust Yen"
    assert coin.symbol() == "KJPY"
    assert coin.totalSupply() == ALICE_START + BOB_START


def test_mint__within_allowance__allowance_decreases_and_events(coin, bank, alice):
    before = coin.minterAllowance(bank)
    receipt = coin.mint(alice, 250_000, sender=bank)

    assert coin.minterAllowance(bank) == before - 250_000
    assert coin.balanceOf(alice) == ALICE_START + 250_000
    [mint] = receipt.events.filter(coin.Mint)
    assert (mint.minter, mint.to, mint.amount) == (bank.address, alice.address, 250_000)
    [transfer] = receipt.events.filter(coin.Transfer)
    assert transfer["from"] == ZERO_ADDRESS and transfer.value == 250_000


def test_mint__allowance_runs_out__reverts(coin, master_minter, bank, alice):
    coin.configureMinter(bank, 1_000, sender=master_minter)
    coin.mint(alice, 600, sender=bank)
    with ape.reverts(coin.YenMintAllowanceExceeded, minter=bank.address, allowance=400, amount=401):
        coin.mint(alice, 401, sender=bank)
    coin.mint(alice, 400, sender=bank)
    assert coin.minterAllowance(bank) == 0
    with ape.reverts(coin.YenMintAllowanceExceeded, minter=bank.address, allowance=0, amount=1):
        coin.mint(alice, 1, sender=bank)


def test_mint__zero_amount__reverts(coin, bank, alice):
    with ape.reverts(coin.YenZeroAmount):
        coin.mint(alice, 0, sender=bank)


def test_configure_minter__sets_allowance_and_emits(coin, master_minter, alice):
    assert not coin.isMinter(alice)
    receipt = coin.configureMinter(alice, 5_000, sender=master_minter)
    assert coin.isMinter(alice) and coin.minterAllowance(alice) == 5_000
    [event] = receipt.events.filter(coin.MinterConfigured)
    assert (event.minter, event.allowance, event.masterMinter) == (
        alice.address,
        5_000,
        master_minter.address,
    )


def test_configure_minter__allowance_above_128_bits__reverts(coin, master_minter, alice):
    with ape.reverts(coin.YenMinterAllowanceTooLarge, allowance=2**128):
        coin.configureMinter(alice, 2**128, sender=master_minter)


def test_remove_minter__cannot_mint_any_more(coin, master_minter, bank, alice):
    receipt = coin.removeMinter(bank, sender=master_minter)
    assert receipt.events.filter(coin.MinterRemoved)[0].minter == bank.address
    assert not coin.isMinter(bank) and coin.minterAllowance(bank) == 0
    with ape.reverts(coin.YenNotMinter, caller=bank.address):
        coin.mint(alice, 1, sender=bank)
    with ape.reverts(coin.YenNotMinter, caller=bank.address):
        coin.removeMinter(bank, sender=master_minter)


def test_burn__minter_burns_coins_it_holds(coin, bank, alice):
    coin.transfer(bank, 10_000, sender=alice)  # a holder returns coins to the bank for redemption
    supply = coin.totalSupply()
    receipt = coin.burn(10_000, sender=bank)
    assert coin.balanceOf(bank) == 0 and coin.totalSupply() == supply - 10_000
    [event] = receipt.events.filter(coin.Burn)
    assert (event.burner, event.amount) == (bank.address, 10_000)
    # burning does not restore the mint allowance
    assert coin.minterAllowance(bank) == BANK_MINT_ALLOWANCE - ALICE_START - BOB_START


def test_burn__not_a_minter__reverts(coin, alice):
    with ape.reverts(coin.YenNotMinter, caller=alice.address):
        coin.burn(1, sender=alice)


def test_burn__more_than_held__reverts(coin, bank):
    with ape.reverts(coin.ERC20InsufficientBalance, sender=bank.address, balance=0, needed=1):
        coin.burn(1, sender=bank)


def test_redeem__burns_and_emits_request_with_increasing_ids(coin, alice, bob):
    supply = coin.totalSupply()
    first = coin.redeem(300_000, BANK_ACCOUNT_REF, sender=alice)
    second = coin.redeem(1_000, BANK_ACCOUNT_REF, sender=bob)

    assert coin.balanceOf(alice) == ALICE_START - 300_000
    assert coin.totalSupply() == supply - 301_000
    [request] = first.events.filter(coin.RedemptionRequested)
    assert request.holder == alice.address
    assert request.amount == 300_000
    assert request.bankAccountRef == BANK_ACCOUNT_REF
    assert request.redemptionId == 1
    assert second.events.filter(coin.RedemptionRequested)[0].redemptionId == 2
    assert coin.redemptionCount() == 2
    [burned] = first.events.filter(coin.Transfer)
    assert burned.to == ZERO_ADDRESS and burned.value == 300_000


def test_redeem__without_bank_account__reverts(coin, alice):
    with ape.reverts(coin.YenMissingBankAccountRef):
        coin.redeem(1, b"\0" * 32, sender=alice)


def test_redeem__zero_or_more_than_held__reverts(coin, alice):
    with ape.reverts(coin.YenZeroAmount):
        coin.redeem(0, BANK_ACCOUNT_REF, sender=alice)
    with ape.reverts(coin.ERC20InsufficientBalance):
        coin.redeem(ALICE_START + 1, BANK_ACCOUNT_REF, sender=alice)
