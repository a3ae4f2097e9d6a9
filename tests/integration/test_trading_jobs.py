"""The operator jobs that need the example securities issued first (settle, approve, pay,
redeem, export, force), happy paths and bad-input cases (nothing sent), on the test chain."""

from __future__ import annotations

from datetime import date

import pytest
from ape import chain
from jobs_support import EXAMPLES, PROTRUST, RETRUST, STBOND, investor, issue

from kabuto.errors import ChainStateError, InputError, OptionError
from kabuto.ops import approvals, dvp, operations, trading
from kabuto.ops.chain import Platform, send
from kabuto.ops.clock import travel_to
from kabuto.ops.export import export_register
from kabuto.ops.payments import pay_record_date, redeem_at_maturity
from kabuto.ops.settle import plan_batch, settle


@pytest.fixture(scope="module")
def module_world(module_world):
    """The conftest's platform with the three example securities issued and yen minted, once
    for this module: each test gets a private copy of this manifest (`world`) and Ape reverts
    its chain changes."""
    for files in (STBOND, RETRUST, PROTRUST):
        issue(module_world, *files)
    trading.mint_yen(
        module_world.platform,
        module_world.ops.trust_bank,
        {str(investor(n).address): 10_000_000 for n in range(1, 13)}
        | {str(module_world.ops.paying_agent.address): 13_000_000},
    )
    return module_world


@pytest.fixture
def issued(world) -> Platform:
    return world.platform


def _lock_for_venue(platform, rows):
    for seller, symbol, units in rows:
        trading.prepare_venue_trade(platform, platform.token(symbol), investor(seller), units)


def test_settle_batch__unlocked_seller__names_row_nothing_sent(world, issued):
    _lock_for_venue(issued, [(3, "STBOND1", 5), (7, "STBOND1", 10), (6, "RETRUST1", 6)])
    height = chain.blocks.height
    with pytest.raises(InputError) as error:
        plan_batch(issued, EXAMPLES / "venue-executions.csv", world.ops.venue_agent)
    found = {(i.row, i.field) for i in error.value.issues}
    assert (5, "quantity") in found and (2, "yen_amount") in found  # no lock; no yen allowance
    assert "has locked only 0" in str(error.value) and "allows the venue 0" in str(error.value)
    assert chain.blocks.height == height


def test_settle_batch__settles_once(world, issued):
    _lock_for_venue(
        issued, [(3, "STBOND1", 5), (7, "STBOND1", 10), (6, "RETRUST1", 6), (8, "RETRUST1", 2)]
    )
    for buyer in (1, 2, 4):
        trading.allow_venue_payment(issued, investor(buyer), 10_000_000)
    plan = plan_batch(issued, EXAMPLES / "venue-executions.csv", world.ops.venue_agent)
    report = settle(plan, world.ops.venue_agent)
    assert not report.already_settled and report.gross_yen == 9_540_450
    assert issued.token("STBOND1").balanceOf(investor(4)) == 1 + 5
    assert issued.token("RETRUST1").balanceOf(investor(4)) == 2
    again = settle(
        plan_batch(issued, EXAMPLES / "venue-executions.csv", world.ops.venue_agent),
        world.ops.venue_agent,
    )
    assert again.already_settled
    assert "settled in block" in again.settled_when()


def test_settle_batch__different_file_same_name__its_trades_settle(world, issued, tmp_path):
    """Issue 15: day2/venue-executions.csv (other trades, same file name as a settled batch)
    was taken for the settled one: "already settled; nothing sent", the trades dropped."""
    _lock_for_venue(
        issued, [(3, "STBOND1", 7), (7, "STBOND1", 10), (6, "RETRUST1", 6), (8, "RETRUST1", 2)]
    )
    for buyer in (1, 2, 4):
        trading.allow_venue_payment(issued, investor(buyer), 10_000_000)
    settle(
        plan_batch(issued, EXAMPLES / "venue-executions.csv", world.ops.venue_agent),
        world.ops.venue_agent,
    )
    token = issued.token("STBOND1")
    before = token.balanceOf(investor(4))
    day2 = tmp_path / "day2"
    day2.mkdir()
    (day2 / "venue-executions.csv").write_text(
        "trade_id,seller_wallet,buyer_wallet,symbol,quantity,yen_amount\n"
        f"PTS-20270202-0001,{investor(3).address},{investor(4).address},STBOND1,2,200060\n",
        encoding="utf-8",
    )
    plan = plan_batch(issued, day2 / "venue-executions.csv", world.ops.venue_agent)
    report = settle(plan, world.ops.venue_agent)
    assert not report.already_settled
    assert token.balanceOf(investor(4)) == before + 2


def test_approvals__approve_all_and_unknown_id(world, issued):
    token = issued.token("PROTRUST1")
    travel_to(date(2027, 4, 1))
    trading.apply_for_transfer(token, investor(9), str(investor(10).address), 5)
    with pytest.raises(InputError, match="no application #7"):
        approvals.decide(token, world.ops.issuer, True, [7], progress=False)
    report = approvals.decide(token, world.ops.issuer, True, progress=False)
    assert report.sent == 1 and token.balanceOf(investor(10)) == 15 + 5
    assert approvals.applications(token) == []


def test_dvp__approval_required_token__issuer_approves_then_buyer_accepts(world, issued):
    token, dvp = issued.token("PROTRUST1"), issued.dvp
    travel_to(date(2027, 4, 1))
    seller, buyer = investor(9), investor(10)
    # The token's own ERC-1404 answer for a direct transfer is "approval required": a DvP
    # instruction is still sent, the issuer's approval being a step of the settlement.
    assert (
        trading.restriction(token, str(seller.address), str(buyer.address), 5).name
        == "APPROVAL_REQUIRED"
    )
    instruction = trading.instruct_dvp(issued, token, seller, str(buyer.address), 5, 50_000)
    assert token.lockedOf(dvp, seller) == 5
    send(dvp.approve, instruction.as_tuple(), sender=world.ops.issuer)
    send(issued.yen.approve, dvp, 50_000, sender=buyer)
    before = (token.balanceOf(buyer), issued.yen.balanceOf(seller))
    send(dvp.accept, instruction.as_tuple(), sender=buyer)
    assert (token.balanceOf(buyer), issued.yen.balanceOf(seller)) == (
        before[0] + 5,
        before[1] + 50_000,
    )
    assert token.lockedOf(dvp, seller) == 0


def test_dvp_instruct__dry_run_refuses_what_the_real_run_refuses__nothing_sent(world, issued):
    """`ape run dvp instruct --dry-run` checked only the seller's free units and said "would
    lock" where the real instruction is refused by the token's verdict on the delivery (here:
    the buyer is no registered investor). Both now ask the token the same questions."""
    token = issued.token("STBOND1")
    seller, stranger = investor(5), str(investor(30).address)  # INV-005 holds 12; 30: nobody
    height = chain.blocks.height
    for dry_run in (True, False):
        with pytest.raises(ChainStateError, match="refuse this delivery.*RECIPIENT_NOT_REGISTERED"):
            dvp.instruct(issued, token, seller, stranger, 1, 100_030, "OTC-9", 3, dry_run=dry_run)
    assert chain.blocks.height == height
    assert token.lockedOf(issued.dvp, seller) == 0


def test_pay_redeem_and_export(world, issued, tmp_path):
    with pytest.raises(ChainStateError, match="has not passed"):
        pay_record_date(
            issued, "STBOND1", date(2027, 6, 30), world.ops.paying_agent, progress=False
        )
    travel_to(date(2027, 7, 15))
    coupon = pay_record_date(
        issued, "STBOND1", date(2027, 6, 30), world.ops.paying_agent, progress=False
    )
    assert coupon.batches.sent == 10 and coupon.gross == 120 * 175
    assert 0 < coupon.tax < coupon.gross and coupon.net == coupon.gross - coupon.tax
    again = pay_record_date(
        issued, "STBOND1", date(2027, 6, 30), world.ops.paying_agent, progress=False
    )
    assert again.batches.sent == 0 and not again.declared_now and again.funded_now == 0
    travel_to(date(2028, 1, 14))
    redemption = redeem_at_maturity(issued, "STBOND1", world.ops.paying_agent, progress=False)
    assert redemption.gross == 120 * 100_000 and issued.token("STBOND1").totalSupply() == 0
    export = export_register(
        issued,
        "STBOND1",
        str(world.ops.issuer.address),
        tmp_path,
        world.keys,
        record_date=date(2027, 6, 30),
    )
    assert export.reconciled and export.register.reconciliation.register_units == 120
    text = export.csv_path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and "山田 太郎".encode() in text
    assert b"RECONCILED" in export.json_path.read_bytes()


def test_force_transfer__needs_reason_and_eligible_recipient(world, issued):
    token = issued.token("PROTRUST1")
    height = chain.blocks.height
    with pytest.raises(OptionError, match="give the reason"):
        operations.force_transfer(
            token,
            world.ops.issuer,
            str(investor(9).address),
            str(investor(10).address),
            1,
            "court-order",
            " ",
        )
    with pytest.raises(OptionError, match="may not receive"):
        operations.force_transfer(
            token,
            world.ops.issuer,
            str(investor(9).address),
            str(investor(1).address),
            1,
            "court-order",
            "order 12",
        )
    assert chain.blocks.height == height
