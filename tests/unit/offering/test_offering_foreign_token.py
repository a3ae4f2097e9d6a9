"""Issue 14, point 1: an offering for a token contract of an attacker's own, whose registry
names a real subscriber, cannot pay that subscriber's allowance to the attacker."""

from ape.exceptions import ContractLogicError

DAY = 86_400


def test_foreign_token_and_registry__subscribers_allowance_untouched(
    project, offering, paying, subscribers, outsider, chain
):
    coin, victim = paying, subscribers[0]
    fake_registry = project.ForeignRegistry.deploy(victim, sender=outsider)
    fake = project.ForeignSecurityToken.deploy(fake_registry, coin, 1_000_000, sender=outsider)
    before = coin.balanceOf(victim)
    now = chain.pending_timestamp
    terms = {
        "token": fake.address,
        "paymentToken": coin.address,
        "proceedsAccount": outsider.address,
        "pricePerUnit": 0,
        "offeredUnits": 1,
        "minUnits": 1,
        "maxUnits": 1,
        "start": now,
        "end": now + DAY,
    }
    investor_id = fake_registry.INVESTOR_ID()
    try:
        offering_id = offering.openOffering(terms, sender=outsider).return_value
        offering.applyForOffering(offering_id, 1, sender=outsider)
        offering.closeOffering(offering_id, sender=outsider)
        offering.allot(offering_id, [investor_id], [1], sender=outsider)
        offering.settle(offering_id, investor_id, sender=outsider)
    except ContractLogicError:
        pass
    assert coin.balanceOf(victim) == before
