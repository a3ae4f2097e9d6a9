"""Eligibility mode against the real InvestorRegistry (contracts/registry, from branch core)."""

import pytest
from yen_support import expect_refusal

JAPAN = 392
GENERAL, ACTIVE, SUSPENDED = 0, 1, 2
YEAR = 365 * 24 * 3600
ALICE_ID = b"INV-ALICE".ljust(32, b"\0")
BOB_ID = b"INV-BOB".ljust(32, b"\0")


@pytest.fixture(scope="module")
def investor_registry(project, chain, admin, alice, bob):
    """Alice and Bob registered, active, KYC valid for a year; the admin is also registrar."""
    registry = project.InvestorRegistry.deploy(admin, sender=admin)
    registry.grantRole(registry.REGISTRAR_ROLE(), admin, sender=admin)
    expiry = chain.pending_timestamp + YEAR
    registry.registerInvestor(ALICE_ID, alice, GENERAL, JAPAN, expiry, sender=admin)
    registry.registerInvestor(BOB_ID, bob, GENERAL, JAPAN, expiry, sender=admin)
    return registry


@pytest.fixture(scope="module")
def kyc_coin(deploy_coin, investor_registry, admin, bank, alice, bob):
    coin = deploy_coin(investor_registry)
    coin.setSystemAccount(bank, True, sender=admin)
    coin.setEligibilityRequired(True, sender=admin)
    coin.mint(alice, 100_000, sender=bank)
    coin.mint(bob, 100_000, sender=bank)
    return coin


def test_registered_investors__transfer(kyc_coin, alice, bob, capsys):
    receipt = kyc_coin.transfer(bob, 1_000, sender=alice)
    assert kyc_coin.balanceOf(bob) == 101_000
    with capsys.disabled():
        print(
            f"\n[gas] yen coin transfer, eligibility mode, real InvestorRegistry: {receipt.gas_used:,}"
        )


def test_unregistered_wallet__refused(kyc_coin, alice, outsider):
    expect_refusal(
        kyc_coin, "transfer", outsider, 1, sender=alice,
        error=kyc_coin.YenNotEligible, account=outsider.address,
    )  # fmt: skip


def test_suspended_investor__refused_until_reactivated(
    kyc_coin, investor_registry, admin, alice, bob
):
    investor_registry.setInvestorStatus(BOB_ID, SUSPENDED, sender=admin)
    expect_refusal(kyc_coin, "transfer", bob, 1, sender=alice,
                   error=kyc_coin.YenNotEligible, account=bob.address)  # fmt: skip
    investor_registry.setInvestorStatus(BOB_ID, ACTIVE, sender=admin)
    kyc_coin.transfer(bob, 1, sender=alice)


def test_kyc_expired__refused(kyc_coin, chain, alice, bob):
    chain.pending_timestamp += YEAR + 1
    expect_refusal(kyc_coin, "transfer", bob, 1, sender=alice,
                   error=kyc_coin.YenNotEligible, account=alice.address)  # fmt: skip


def test_replaced_wallet__old_wallet_refused_new_wallet_accepted(
    kyc_coin, investor_registry, admin, alice, bob, accounts
):
    new_wallet = accounts.generate_test_account()
    investor_registry.replaceWallet(BOB_ID, new_wallet, sender=admin)
    expect_refusal(kyc_coin, "transfer", bob, 1, sender=alice,
                   error=kyc_coin.YenNotEligible, account=bob.address)  # fmt: skip
    kyc_coin.transfer(new_wallet, 1, sender=alice)
    assert kyc_coin.balanceOf(new_wallet) == 1
