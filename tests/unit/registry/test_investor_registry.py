"""The investor registry: onboarding, updates, status, wallet replacement, personal data, events."""

import ape
from eth_utils import keccak
from fixtures.platform import JAPAN, YEAR, investor_id_for, onboard

from kabuto.onchain_types import ZERO_ADDRESS, InvestorClass, InvestorStatus

CIPHERTEXT = b"\x42" * 344  # an RSA-OAEP-2048 ciphertext, base64-free: the size ibet stores


def test_register__record_readable_by_wallet_and_id__event(chain, registry, registrar, alice):
    expiry = chain.pending_timestamp + YEAR
    receipt = registry.registerInvestor(
        investor_id_for(alice), alice, int(InvestorClass.SPECIFIED), JAPAN, expiry, sender=registrar
    )
    event = receipt.events.filter(registry.InvestorRegistered)[0]
    assert (
        event.investorId,
        event.wallet,
        event.investorClass,
        event.country,
        event.kycExpiry,
        event.registrar,
    ) == (
        investor_id_for(alice),
        alice,
        1,
        JAPAN,
        expiry,
        registrar,
    )
    record = registry.investorOf(alice)
    assert (record.number, record.status, record.country, record.kycExpiry) == (
        1,
        InvestorStatus.ACTIVE,
        JAPAN,
        expiry,
    )
    assert registry.walletOf(investor_id_for(alice)) == alice
    assert registry.investorIdOf(alice) == investor_id_for(alice)
    assert registry.isEligible(alice) and registry.investorCount() == 1


def test_register__invalid_inputs__refused(chain, registry, registrar, alice, bob, issuer):
    soon = chain.pending_timestamp + YEAR
    with ape.reverts(registry.AccessControlUnauthorizedAccount):
        registry.registerInvestor(investor_id_for(alice), alice, 0, JAPAN, soon, sender=issuer)
    with ape.reverts(registry.RegistryInvalidWallet):
        registry.registerInvestor(
            investor_id_for(alice), ZERO_ADDRESS, 0, JAPAN, soon, sender=registrar
        )
    with ape.reverts(registry.RegistryInvalidCountry):
        registry.registerInvestor(investor_id_for(alice), alice, 0, 1000, soon, sender=registrar)
    with ape.reverts(registry.RegistryInvalidKycExpiry):
        registry.registerInvestor(investor_id_for(alice), alice, 0, JAPAN, 1, sender=registrar)
    onboard(registry, registrar, alice)
    with ape.reverts(registry.RegistryInvestorExists):
        registry.registerInvestor(investor_id_for(alice), bob, 0, JAPAN, soon, sender=registrar)
    with ape.reverts(registry.RegistryWalletInUse):
        registry.registerInvestor(investor_id_for(bob), alice, 0, JAPAN, soon, sender=registrar)


def test_update_and_status__eligibility_follows(chain, registry, registrar, alice):
    investor_id = onboard(registry, registrar, alice)
    receipt = registry.updateInvestor(
        investor_id,
        int(InvestorClass.QUALIFIED_INSTITUTIONAL),
        840,
        chain.pending_timestamp + 10,
        sender=registrar,
    )
    assert receipt.events.filter(registry.InvestorUpdated)[0].country == 840
    assert registry.investorOf(alice).investorClass == InvestorClass.QUALIFIED_INSTITUTIONAL
    receipt = registry.setInvestorStatus(
        investor_id, int(InvestorStatus.SUSPENDED), sender=registrar
    )
    assert (
        receipt.events.filter(registry.InvestorStatusChanged)[0].status == InvestorStatus.SUSPENDED
    )
    assert not registry.isEligible(alice)
    registry.setInvestorStatus(investor_id, int(InvestorStatus.ACTIVE), sender=registrar)
    assert registry.isEligible(alice)
    chain.pending_timestamp += 100
    chain.mine()
    assert not registry.isEligible(alice)  # KYC lapsed
    with ape.reverts(registry.RegistryInvalidStatus):
        registry.setInvestorStatus(investor_id, int(InvestorStatus.NONE), sender=registrar)
    with ape.reverts(registry.RegistryUnknownInvestor):
        registry.setInvestorStatus(keccak(text="nobody"), 1, sender=registrar)


def test_replace_wallet__old_wallet_stops_being_eligible(registry, registrar, alice, bob, accounts):
    investor_id = onboard(registry, registrar, alice)
    new_wallet = accounts.generate_test_account()
    receipt = registry.replaceWallet(investor_id, new_wallet, sender=registrar)
    event = receipt.events.filter(registry.WalletReplaced)[0]
    assert (event.oldWallet, event.newWallet) == (alice, new_wallet)
    assert registry.walletOf(investor_id) == new_wallet
    assert registry.previousWalletOf(investor_id) == alice
    assert not registry.isEligible(alice) and registry.isEligible(new_wallet)
    assert registry.investorOf(new_wallet).number == 1
    with ape.reverts(registry.RegistryWalletInUse):
        registry.replaceWallet(
            investor_id, alice, sender=registrar
        )  # a lost wallet never comes back


def test_investors_of__both_records_in_one_call__zero_side_skipped(registry, registrar, alice, bob):
    onboard(registry, registrar, alice, cls=InvestorClass.SPECIFIED)
    onboard(registry, registrar, bob)
    first, second = registry.investorsOf(alice, bob)
    # Ape returns the two structs as plain tuples: (number, investorClass, status, country, kycExpiry).
    assert (first[0], first[1], second[0]) == (1, InvestorClass.SPECIFIED, 2)
    empty, _ = registry.investorsOf(ZERO_ADDRESS, bob)
    assert tuple(empty) == (0, 0, 0, 0, 0)
    packed_alice, packed_bob = registry.packedInvestorsOf(alice, bob)
    assert (
        packed_alice & (2**64 - 1) == 1 and (packed_alice >> 64) & 0xFF == InvestorClass.SPECIFIED
    )
    assert (packed_bob >> 72) & 0xFF == InvestorStatus.ACTIVE
    assert packed_bob >> 96 == registry.investorOf(bob).kycExpiry


def test_personal_data__ciphertext_and_hash_in_event_only(registry, registrar, issuer, alice, bob):
    investor_id = onboard(registry, registrar, alice)
    with ape.reverts(registry.RegistryNoIssuerKey):
        registry.setPersonalData(investor_id, issuer, CIPHERTEXT, sender=registrar)
    with ape.reverts(registry.RegistryNotIssuerOrAdmin):
        registry.setIssuerKey(issuer, b"pubkey", sender=bob)
    receipt = registry.setIssuerKey(issuer, b"-----BEGIN PUBLIC KEY-----", sender=issuer)
    assert receipt.events.filter(registry.IssuerKeySet)[0].issuer == issuer
    receipt = registry.setPersonalData(investor_id, issuer, CIPHERTEXT, sender=registrar)
    event = receipt.events.filter(registry.PersonalDataStored)[0]
    assert (event.ciphertext, event.dataHash) == (CIPHERTEXT, keccak(CIPHERTEXT))
    assert not hasattr(registry, "personalDataHash")  # the log is the record (docs/registry.md)
    print(
        f"\nGAS onboard: register {registry.registerInvestor.estimate_gas_cost(investor_id_for(bob), bob, 0, JAPAN, 2**39, sender=registrar):,}"
        f" + personal data (344-byte ciphertext) {receipt.gas_used:,}"
    )
