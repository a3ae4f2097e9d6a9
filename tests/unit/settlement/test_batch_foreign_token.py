"""Issue 14, point 2: the venue agent cannot pull participants' yen through trades in a token
that is not the platform's."""

from ape.exceptions import ContractLogicError


def test_venue_batch__foreign_token__no_yen_pulled(
    project, venue, venue_market, coin, venue_agent, buyer, outsider
):
    fake = project.ForeignSecurityToken.deploy(outsider, coin, 1, sender=outsider)
    participants = sorted([buyer.address, venue_agent.address], key=lambda a: int(a, 16))
    victim = participants.index(buyer.address)
    trade = (1 - victim, victim, 0, 1, 1_000_000)  # the agent "sells" a fake unit to the victim
    before = coin.balanceOf(buyer)
    try:
        venue.settleBatch(b"\x07" * 32, participants, [fake.address], [trade], sender=venue_agent)
    except ContractLogicError:
        pass
    assert coin.balanceOf(buyer) == before
