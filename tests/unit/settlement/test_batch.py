"""Venue batch settlement: all or nothing, yen netted per participant, securities per trade."""

import ape
import pytest
from eth_utils import keccak
from settlement_support import LOCKED_FOR_VENUE, UNITS_START, VENUE_ALLOWANCE, YEN_START

from kabuto.onchain_types import PROFESSIONAL_CLASSES, Category, Restriction, Rules
from kabuto.settlement import Execution, batch_id, build_batch, net_yen


@pytest.fixture(scope="module")
def executions(venue_market, seller, buyer, carol, dave):
    a, b = venue_market
    return [
        Execution(seller, buyer, a, 10, 1_000_000),
        Execution(buyer, carol, a, 4, 410_000),
        Execution(carol, seller, b, 7, 77_000),
        Execution(dave, buyer, b, 3, 33_000),
        Execution(buyer, dave, a, 2, 199_000),
        Execution(seller, dave, b, 1, 11_111),
    ]


def _balances(coin, tokens, wallets):
    return {w: (coin.balanceOf(w), *(t.balanceOf(w) for t in tokens)) for w in wallets}


def test_batch__settles_every_trade_and_nets_yen_like_the_per_trade_computation(
    venue, coin, venue_market, executions, venue_agent, seller, buyer, carol, dave
):
    wallets = [w.address for w in (seller, buyer, carol, dave)]
    before = _balances(coin, venue_market, wallets)
    batch = build_batch(executions)
    receipt = venue.settleBatch(batch_id("START-20261125-001"), *batch.args(), sender=venue_agent)

    expected_yen = net_yen(executions)
    for wallet in wallets:
        assert coin.balanceOf(wallet) - before[wallet][0] == expected_yen[wallet]
    for t, token in enumerate(venue_market):
        delta = {w: 0 for w in wallets}
        for e in executions:
            if e.token == token.address:
                delta[e.seller] -= e.quantity
                delta[e.buyer] += e.quantity
        for wallet in wallets:
            assert token.balanceOf(wallet) - before[wallet][1 + t] == delta[wallet]
    assert coin.balanceOf(venue) == 0
    assert venue.isSettled(batch_id("START-20261125-001"))

    # each participant paid or received once: one coin Transfer per non-zero net
    transfers = receipt.events.filter(coin.Transfer)
    assert len(transfers) == sum(1 for v in expected_yen.values() if v != 0)
    [settled] = receipt.events.filter(venue.BatchSettled)
    assert settled.trades == len(executions)
    assert settled.grossYen == sum(e.amount for e in executions)
    assert settled.yenMoved == -sum(v for v in expected_yen.values() if v < 0)
    assert sum(len(receipt.events.filter(t.Unlocked)) for t in venue_market) == len(executions)


def test_batch__same_batch_id_again__refused(venue, executions, venue_agent):
    args = build_batch(executions).args()
    venue.settleBatch(batch_id("B-1"), *args, sender=venue_agent)
    with ape.reverts(venue.BatchAlreadySettled, batchId=batch_id("B-1")):
        venue.settleBatch(batch_id("B-1"), *args, sender=venue_agent)


def test_batch__one_trade_breaks_a_rule__whole_batch_reverts_with_its_index(
    venue, coin, venue_market, executions, venue_agent, unregistered, seller, buyer, carol, dave
):
    bad = Execution(seller, unregistered, venue_market[1], 1, 5_000)
    trades = executions[:4] + [bad] + executions[4:]
    coin.approve(venue, VENUE_ALLOWANCE, sender=unregistered)
    wallets = [w.address for w in (seller, buyer, carol, dave, unregistered)]
    before = _balances(coin, venue_market, wallets)
    with ape.reverts(venue.BatchTradeFailed, index=4) as info:
        venue.settleBatch(batch_id("B-bad"), *build_batch(trades).args(), sender=venue_agent)
    reason = info.value.inputs["reason"]
    assert bytes(reason)[:4] == keccak(text="TransferRestricted(uint8,address,address,uint256)")[:4]
    assert int.from_bytes(bytes(reason)[4:36], "big") == Restriction.RECIPIENT_NOT_REGISTERED
    assert _balances(coin, venue_market, wallets) == before
    assert not venue.isSettled(batch_id("B-bad"))


def test_batch__sellers_lock_short__fails_with_the_trade_index(
    venue, venue_market, seller, buyer, venue_agent
):
    trades = [
        Execution(buyer, seller, venue_market[0], 1, 100),
        Execution(seller, buyer, venue_market[0], LOCKED_FOR_VENUE + 1, 100),
    ]
    with ape.reverts(venue.BatchTradeFailed, index=1):
        venue.settleBatch(batch_id("B-short"), *build_batch(trades).args(), sender=venue_agent)


def test_batch__payer_allowance_short__fails_naming_the_participant(
    venue, coin, executions, venue_agent, buyer
):
    batch = build_batch(executions)
    payer = batch.participants.index(buyer.address)
    owed = -net_yen(executions)[buyer.address]
    coin.approve(venue, owed - 1, sender=buyer)
    with ape.reverts(
        venue.BatchPaymentFailed,
        participant=payer,
        wallet=buyer.address,
        amount=owed,
        allowance=owed - 1,
        balance=YEN_START,
    ):
        venue.settleBatch(batch_id("B-allow"), *batch.args(), sender=venue_agent)


def test_batch__not_a_settlement_agent__refused(venue, executions, outsider):
    with ape.reverts(venue.AccessControlUnauthorizedAccount, account=outsider.address):
        venue.settleBatch(batch_id("B-x"), *build_batch(executions).args(), sender=outsider)


def test_batch__participants_not_ascending__refused(venue, executions, venue_agent):
    participants, tokens, trades = build_batch(executions).args()
    participants[0], participants[1] = participants[1], participants[0]
    with ape.reverts(venue.BatchParticipantsNotSorted, index=1):
        venue.settleBatch(batch_id("B-sort"), participants, tokens, trades, sender=venue_agent)


@pytest.mark.parametrize(
    "bad", [(9, 1, 0, 1, 1), (0, 1, 5, 1, 1), (1, 1, 0, 1, 1), (0, 1, 0, 0, 1), (0, 1, 0, 1, 0)]
)
def test_batch__malformed_trade__refused_with_its_index(venue, executions, venue_agent, bad):
    participants, tokens, trades = build_batch(executions).args()
    trades.insert(2, bad)
    with ape.reverts(venue.BatchInvalidTrade, index=2):
        venue.settleBatch(batch_id("B-bad"), participants, tokens, trades, sender=venue_agent)


def test_batch__empty__refused(venue, venue_agent, seller):
    with ape.reverts(venue.BatchEmpty):
        venue.settleBatch(batch_id("B-0"), [seller.address], [], [], sender=venue_agent)


def test_batch__coin_eligibility_mode__venue_must_be_a_system_account(
    venue, coin, admin, executions, venue_agent
):
    coin.setEligibilityRequired(True, sender=admin)
    batch = build_batch(executions)
    with ape.reverts(venue.BatchPaymentFailed):
        venue.settleBatch(batch_id("B-elig"), *batch.args(), sender=venue_agent)
    coin.setSystemAccount(venue, True, sender=admin)
    venue.settleBatch(batch_id("B-elig"), *batch.args(), sender=venue_agent)
    assert coin.balanceOf(venue) == 0


def test_batch__approval_required_token__agent_must_be_an_issuer_agent(
    venue, deploy_token, admin, agent, venue_agent, seller, buyer, dave
):
    token = deploy_token(
        Category.EXCLUDED_CLASS2,
        Rules(allowed_classes=PROFESSIONAL_CLASSES, approval_required=True),
        holders=(seller, dave),
        symbol="EXB",
    )
    token.authorizeLockAddress(venue, True, True, sender=admin)
    token.lock(venue, 5, b"", sender=seller)
    batch = build_batch([Execution(seller, buyer, token, 5, 50_000)])
    with ape.reverts(
        venue.BatchApprovalRequired, index=0, token=token.address, agent=venue_agent.address
    ):
        venue.settleBatch(batch_id("B-ex"), *batch.args(), sender=venue_agent)
    token.grantRole(token.AGENT_ROLE(), venue_agent, sender=admin)
    venue.settleBatch(batch_id("B-ex"), *batch.args(), sender=venue_agent)
    assert token.balanceOf(buyer) == 5


def test_withdraw__participant_takes_back_its_own_lock(venue, venue_market, seller):
    token = venue_market[0]
    venue.withdraw(token, 100, sender=seller)
    assert token.lockedOf(venue, seller) == LOCKED_FOR_VENUE - 100
    assert token.freeBalanceOf(seller) == UNITS_START - LOCKED_FOR_VENUE + 100
