"""Issue 14, point 2 (failed on 16b48fb): the venue agent cannot pull participants' yen through
trades in a token that is not the platform's, nor more than the netted amounts of executions
that really delivered platform tokens."""

import ape


def _sorted(*wallets):
    return sorted((w.address for w in wallets), key=lambda a: int(a, 16))


def test_venue_batch__foreign_token__refused_and_no_yen_pulled(
    project, venue, venue_market, coin, venue_agent, buyer, outsider
):
    fake = project.ForeignSecurityToken.deploy(outsider, coin, 1, sender=outsider)
    participants = _sorted(buyer, venue_agent)
    victim = participants.index(buyer.address)
    trade = (1 - victim, victim, 0, 1, 1_000_000)  # the agent "sells" a fake unit to the victim
    before = coin.balanceOf(buyer)
    with ape.reverts(venue.BatchNotPlatformToken, tokenIndex=0, token=fake.address):
        venue.settleBatch(b"\x07" * 32, participants, [fake.address], [trade], sender=venue_agent)
    # Hidden behind a real token's trade: refused all the same.
    real = venue_market[0]
    seller_index = participants.index(venue_agent.address)
    with ape.reverts(venue.BatchNotPlatformToken, tokenIndex=1, token=fake.address):
        venue.settleBatch(
            b"\x08" * 32,
            participants,
            [real.address, fake.address],
            [(seller_index, victim, 1, 1, 1_000_000)],
            sender=venue_agent,
        )
    assert coin.balanceOf(buyer) == before


def test_venue_batch__delisted_token__refused(
    venue, venue_market, registry, admin, venue_agent, seller, buyer
):
    token = venue_market[0]
    participants = _sorted(seller, buyer)
    trade = (participants.index(seller.address), participants.index(buyer.address), 0, 1, 100)
    registry.setPlatformToken(token, False, sender=admin)
    with ape.reverts(venue.BatchNotPlatformToken, tokenIndex=0, token=token.address):
        venue.settleBatch(b"\x09" * 32, participants, [token.address], [trade], sender=venue_agent)
    registry.setPlatformToken(token, True, sender=admin)
    venue.settleBatch(b"\x09" * 32, participants, [token.address], [trade], sender=venue_agent)


def test_venue_batch__yen_pulled_is_the_net_of_units_delivered(
    venue, venue_market, coin, venue_agent, seller, buyer, carol
):
    """Every yen that leaves a participant pays for units that left a seller's venue lock for
    it in the same batch: the pull equals its net purchases, to the yen."""
    token_a, token_b = venue_market
    participants = _sorted(seller, buyer, carol)
    i = {w: participants.index(w.address) for w in (seller, buyer, carol)}
    trades = [
        (i[seller], i[buyer], 0, 3, 300_000),
        (i[buyer], i[carol], 1, 2, 150_000),
        (i[carol], i[buyer], 0, 1, 90_000),
    ]
    wallets = (seller, buyer, carol)
    yen_before = [coin.balanceOf(w) for w in wallets]
    units_before = [(token_a.balanceOf(w), token_b.balanceOf(w)) for w in wallets]
    venue.settleBatch(b"\x0a" * 32, participants, [token_a, token_b], trades, sender=venue_agent)
    paid = {w: yen_before[n] - coin.balanceOf(w) for n, w in enumerate(wallets)}
    net_bought = {
        seller: -300_000,
        buyer: 300_000 - 150_000 + 90_000,
        carol: 150_000 - 90_000,
    }
    assert paid == net_bought
    received = [
        (token_a.balanceOf(w) - a, token_b.balanceOf(w) - b)
        for w, (a, b) in zip(wallets, units_before, strict=True)
    ]
    assert received == [(-3, 0), (3 + 1, -2), (-1, 2)]
    assert coin.balanceOf(venue) == 0


def test_venue_withdraw__foreign_token_reentering_the_venue__refused(
    project, venue, venue_market, coin, venue_agent, buyer, outsider
):
    """`withdraw` is the one venue call a foreign token reaches (it moves nothing of anyone
    else's): a token that re-enters the venue from its `unlock` hits the reentrancy guard."""
    fake = project.ForeignSecurityToken.deploy(outsider, coin, 1, sender=outsider)
    participants = _sorted(buyer, venue_agent)
    trade = (0, 1, 0, 1, 1_000_000)
    reentry = venue.settleBatch.encode_input(b"\x0b" * 32, participants, [fake.address], [trade])
    fake.setReentry(venue, reentry, sender=outsider)
    before = coin.balanceOf(buyer)
    with ape.reverts(venue.ReentrancyGuardReentrantCall):
        venue.withdraw(fake, 1, sender=outsider)
    assert coin.balanceOf(buyer) == before
