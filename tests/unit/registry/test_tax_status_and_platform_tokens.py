"""The registry's tax status per investor (kept across wallet replacement, read in one call
with the investor's current wallet) and the platform's token list (issue 14, points 1-3, 9)."""

import ape
from fixtures.platform import JAPAN, YEAR, deploy_registry, deploy_token, investor_id_for, onboard

from kabuto.onchain_types import ZERO_ADDRESS, InvestorClass, TaxStatus
from kabuto.ops.accounts import test_account as account_at

CIPHERTEXT = b"\x42" * 158


def test_onboard__records_the_tax_status__undeclared_refused(
    chain, registry, registrar, issuer, alice
):
    registry.setIssuerKey(issuer, b"\x01" * 44, sender=issuer)
    expiry = chain.pending_timestamp + YEAR
    args = (investor_id_for(alice), alice, int(InvestorClass.SPECIFIED))
    tail = (JAPAN, expiry, issuer, CIPHERTEXT)
    with ape.reverts(registry.RegistryInvalidTaxStatus):
        registry.onboardInvestor(*args, int(TaxStatus.UNDECLARED), *tail, sender=registrar)
    receipt = registry.onboardInvestor(
        *args, int(TaxStatus.DOMESTIC_CORPORATION), *tail, sender=registrar
    )
    event = receipt.events.filter(registry.InvestorRegistered)[0]
    assert event.taxStatus == TaxStatus.DOMESTIC_CORPORATION
    assert registry.taxStatusOf(investor_id_for(alice)) == TaxStatus.DOMESTIC_CORPORATION
    # The token's hot path reads the record word at fixed offsets: unchanged by the tax status.
    assert registry.packedInvestorsOf(alice, ZERO_ADDRESS)[0] >> 136 == 0


def test_set_tax_status__registrar_only__event(registry, registrar, alice, bob):
    investor_id = onboard(registry, registrar, alice)
    assert registry.taxStatusOf(investor_id) == TaxStatus.UNDECLARED  # registered without one
    with ape.reverts(registry.AccessControlUnauthorizedAccount):
        registry.setTaxStatus(investor_id, int(TaxStatus.EXEMPT), sender=bob)
    with ape.reverts(registry.RegistryInvalidTaxStatus):
        registry.setTaxStatus(investor_id, int(TaxStatus.UNDECLARED), sender=registrar)
    with ape.reverts(registry.RegistryUnknownInvestor):
        registry.setTaxStatus(investor_id_for(bob), int(TaxStatus.EXEMPT), sender=registrar)
    receipt = registry.setTaxStatus(investor_id, int(TaxStatus.NON_RESIDENT), sender=registrar)
    event = receipt.events.filter(registry.TaxStatusSet)[0]
    assert (event.investorId, event.taxStatus, event.registrar) == (
        investor_id,
        TaxStatus.NON_RESIDENT,
        registrar,
    )
    assert registry.walletOf(investor_id) == alice


def test_replace_wallet__tax_status_stays_with_the_investor__payee_is_the_new_wallet(
    registry, registrar, alice
):
    investor_id = onboard(registry, registrar, alice, cls=InvestorClass.QUALIFIED_INSTITUTIONAL)
    registry.setTaxStatus(investor_id, int(TaxStatus.EXEMPT), sender=registrar)
    fresh = account_at(17)
    registry.replaceWallet(investor_id, fresh, sender=registrar)
    assert registry.taxStatusOf(investor_id) == TaxStatus.EXEMPT
    assert tuple(registry.payeeOf(alice)) == (investor_id, fresh, TaxStatus.EXEMPT)
    assert tuple(registry.payeeOf(fresh)) == (investor_id, fresh, TaxStatus.EXEMPT)
    assert tuple(registry.payeeOf(account_at(18))) == (b"\x00" * 32, ZERO_ADDRESS, 0)
    assert registry.walletOf(investor_id) == fresh
    assert registry.recoveryOf(alice, fresh) == investor_id


def test_platform_tokens__admin_lists_only_tokens_of_this_registry(registry, admin, alice):
    token = deploy_token(admin, registry)
    other = deploy_token(admin, deploy_registry(admin))
    assert not registry.isPlatformToken(token)
    with ape.reverts(registry.AccessControlUnauthorizedAccount):
        registry.setPlatformToken(token, True, sender=alice)
    with ape.reverts(registry.RegistryTokenNotBound, token=other.address):
        registry.setPlatformToken(other, True, sender=admin)
    with ape.reverts(registry.RegistryTokenNotBound, token=alice.address):
        registry.setPlatformToken(alice, True, sender=admin)
    receipt = registry.setPlatformToken(token, True, sender=admin)
    event = receipt.events.filter(registry.PlatformTokenListed)[0]
    assert (event.token, event.listed, event.admin) == (token.address, True, admin)
    assert registry.isPlatformToken(token)
    registry.setPlatformToken(token, False, sender=admin)
    assert not registry.isPlatformToken(token)
