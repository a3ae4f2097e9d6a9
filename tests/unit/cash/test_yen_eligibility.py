"""Eligibility mode: only registry-eligible holders and system accounts may send or receive."""

import pytest
from yen_support import BANK_ACCOUNT_REF, ZERO_ADDRESS, expect_refusal


@pytest.fixture
def strict(coin, registry, admin, alice):
    """Eligibility mode on; only Alice is eligible in the registry."""
    registry.setEligible(alice, True, sender=admin)
    coin.setEligibilityRequired(True, sender=admin)
    return coin


def test_open_mode__anyone_may_hold(coin, alice, outsider):
    assert not coin.eligibilityRequired()
    coin.transfer(outsider, 10, sender=alice)
    assert coin.balanceOf(outsider) == 10


def test_switch_on__admin_only_and_emits(coin, registry, admin):
    receipt = coin.setEligibilityRequired(True, sender=admin)
    assert coin.eligibilityRequired() and coin.registry() == registry.address
    [event] = receipt.events.filter(coin.EligibilityModeChanged)
    assert event.required and event.admin == admin.address
    receipt = coin.setEligibilityRequired(False, sender=admin)
    assert receipt.events.filter(coin.EligibilityModeChanged)[0].required == 0


def test_switch_on__no_change__reverts(coin, admin):
    expect_refusal(coin, "setEligibilityRequired", False, sender=admin, error=coin.YenUnchanged)


def test_strict__ineligible_recipient__reverts(strict, alice, bob):
    expect_refusal(
        strict, "transfer", bob, 1, sender=alice, error=strict.YenNotEligible, account=bob.address
    )


def test_strict__ineligible_sender__reverts(strict, alice, bob):
    expect_refusal(
        strict, "transfer", alice, 1, sender=bob, error=strict.YenNotEligible, account=bob.address
    )


def test_strict__ineligible_holder_cannot_redeem_or_be_minted_to(strict, bank, bob):
    expect_refusal(
        strict,
        "redeem",
        1,
        BANK_ACCOUNT_REF,
        sender=bob,
        error=strict.YenNotEligible,
        account=bob.address,
    )
    expect_refusal(
        strict, "mint", bob, 1, sender=bank, error=strict.YenNotEligible, account=bob.address
    )


def test_strict__both_eligible__transfer_succeeds(strict, registry, admin, alice, bob):
    registry.setEligible(bob, True, sender=admin)
    strict.transfer(bob, 7, sender=alice)
    strict.transfer(alice, 2, sender=bob)
    assert strict.balanceOf(bob) == 500_005


def test_strict__eligibility_lapses__holder_is_stuck_until_restored(
    strict, registry, admin, alice, bob
):
    registry.setEligible(bob, True, sender=admin)
    registry.setEligible(alice, False, sender=admin)  # KYC expired, say
    expect_refusal(
        strict, "transfer", bob, 1, sender=alice, error=strict.YenNotEligible, account=alice.address
    )
    registry.setEligible(alice, True, sender=admin)
    strict.transfer(bob, 1, sender=alice)


def test_strict__system_account_exempt_both_ways(strict, admin, alice, outsider):
    """E.g. the settlement contract or a paying agent: not an investor, yet must hold in transit."""
    receipt = strict.setSystemAccount(outsider, True, sender=admin)
    event = receipt.events.filter(strict.SystemAccountSet)[0]
    assert (event.account, bool(event.exempt), event.admin) == (
        outsider.address,
        True,
        admin.address,
    )
    assert strict.isSystemAccount(outsider)
    strict.transfer(outsider, 100, sender=alice)
    strict.transfer(alice, 40, sender=outsider)
    assert strict.balanceOf(outsider) == 60


def test_strict__system_account_is_still_frozen_when_frozen(
    strict, admin, blocklister, alice, outsider
):
    strict.setSystemAccount(outsider, True, sender=admin)
    strict.freeze(outsider, sender=blocklister)
    expect_refusal(
        strict,
        "transfer",
        outsider,
        1,
        sender=alice,
        error=strict.YenAccountFrozen,
        account=outsider.address,
    )


def test_strict__exemption_removed__refused_again(strict, admin, alice, outsider):
    strict.setSystemAccount(outsider, True, sender=admin)
    strict.setSystemAccount(outsider, False, sender=admin)
    expect_refusal(
        strict,
        "transfer",
        outsider,
        1,
        sender=alice,
        error=strict.YenNotEligible,
        account=outsider.address,
    )


def test_strict__approval_needs_no_eligibility(strict, alice, outsider):
    """Approving moves nothing: a venue's operator wallet may be the spender."""
    strict.approve(outsider, 50, sender=alice)
    assert strict.allowance(alice, outsider) == 50


def test_switch_off__open_again(strict, admin, alice, bob):
    strict.setEligibilityRequired(False, sender=admin)
    strict.transfer(bob, 1, sender=alice)


def test_eligibility_without_registry__reverts(deploy_coin, admin):
    coin = deploy_coin(None)
    assert coin.registry() == ZERO_ADDRESS
    expect_refusal(coin, "setEligibilityRequired", True, sender=admin, error=coin.YenRegistryNotSet)


def test_set_registry__emits_and_cannot_clear_while_required(strict, project, registry, admin):
    replacement = project.EligibilityListRegistry.deploy(sender=admin)
    receipt = strict.setRegistry(replacement, sender=admin)
    [event] = receipt.events.filter(strict.RegistryChanged)
    assert (event.previousRegistry, event.newRegistry) == (registry.address, replacement.address)
    expect_refusal(
        strict, "setRegistry", ZERO_ADDRESS, sender=admin, error=strict.YenRegistryNotSet
    )


def test_set_registry__new_registry_decides(strict, project, admin, alice, bob):
    replacement = project.EligibilityListRegistry.deploy(sender=admin)
    replacement.setEligible(alice, True, sender=admin)
    replacement.setEligible(bob, True, sender=admin)
    strict.setRegistry(replacement, sender=admin)
    strict.transfer(bob, 3, sender=alice)
