"""Issue 14, point 1 (failed on 16b48fb): an offering for a token contract of an attacker's own,
whose registry names a real subscriber, cannot pay that subscriber's allowance to the attacker;
the platform's own tokens are offered as before, and a delisted one settles nothing more."""

import ape
from fixtures.platform import investor_id_for

DAY = 86_400


def _terms(token, coin, proceeds, now, **overrides):
    terms = {
        "token": str(token),
        "paymentToken": str(coin),
        "proceedsAccount": str(proceeds),
        "pricePerUnit": 0,
        "offeredUnits": 1,
        "minUnits": 1,
        "maxUnits": 1,
        "start": now,
        "end": now + DAY,
    }
    return terms | overrides


def test_foreign_token_and_registry__refused__subscribers_allowance_untouched(
    project, offering, paying, subscribers, outsider, chain
):
    coin, victim = paying, subscribers[0]
    fake_registry = project.ForeignRegistry.deploy(victim, sender=outsider)
    fake = project.ForeignSecurityToken.deploy(fake_registry, coin, 1_000_000, sender=outsider)
    before = coin.balanceOf(victim)
    terms = _terms(fake, coin, outsider, chain.pending_timestamp)
    with ape.reverts(offering.OfferingNotPlatformToken, token=fake.address):
        offering.openOffering(terms, sender=outsider)
    assert coin.balanceOf(victim) == before == coin.balanceOf(victim)
    assert offering.registry() != fake_registry.address


def test_delisted_token__allotment_no_longer_settles(
    offering, paying, token, registry, registrar, issuer, proceeds, subscribers, chain
):
    alice = subscribers[0]
    now = chain.pending_timestamp
    offering_id = offering.openOffering(
        _terms(token, "0x" + "00" * 20, proceeds, now), sender=issuer
    ).return_value
    offering.applyForOffering(offering_id, 1, sender=alice)
    offering.closeOffering(offering_id, sender=issuer)
    alice_id = investor_id_for(alice)
    offering.allot(offering_id, [alice_id], [1], sender=issuer)
    registry.setPlatformToken(token, False, sender=registrar)
    before = paying.balanceOf(alice)
    with ape.reverts(offering.OfferingNotPlatformToken, token=token.address):
        offering.settle(offering_id, alice_id, sender=issuer)
    assert paying.balanceOf(alice) == before
    registry.setPlatformToken(token, True, sender=registrar)
    offering.settle(offering_id, alice_id, sender=issuer)
    assert token.balanceOf(alice) == 1
