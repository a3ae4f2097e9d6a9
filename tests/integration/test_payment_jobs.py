"""`ape run pay` / `ape run redeem` / `ape run issue` as a paying agent relies on them: the tax
each holder's status asks for, coupon amounts as the term sheet fixes them, nothing moved by a
run that will refuse, and the platform working with the coin in eligibility mode."""

from __future__ import annotations

from datetime import date

import pytest
from ape import chain
from jobs_support import EXAMPLES, STBOND, investor, issue, write

from kabuto.errors import KabutoError
from kabuto.ops import trading
from kabuto.ops.chain import send
from kabuto.ops.clock import travel_to
from kabuto.ops.payments import pay_record_date, redeem_at_maturity

ISSUE_DAY = date(2027, 1, 15)


@pytest.fixture(scope="module")
def module_world(module_world, tmp_path_factory):
    travel_to(ISSUE_DAY)
    allocation = write(
        tmp_path_factory.mktemp("alloc") / "stbond1-allocation.csv",
        STBOND[1].read_text() + "INV-008,4\nINV-009,3\n",
    )
    issue(module_world, STBOND[0], allocation)
    trading.mint_yen(
        module_world.platform,
        module_world.ops.trust_bank,
        {str(module_world.ops.paying_agent.address): 20_000_000},
    )
    return module_world


def _holder_lines(platform, receipt_range):
    corporate = platform.corporate
    return {str(log.holder): log for log in corporate.HolderPaid.range(*receipt_range)}


def test_withholding__domestic_corporation__national_tax_only(world):
    platform = world.platform
    travel_to(date(2027, 7, 15))
    start = chain.blocks.height
    pay_record_date(platform, "STBOND1", date(2027, 6, 30), world.ops.paying_agent, progress=False)
    lines = _holder_lines(platform, (start, chain.blocks.height + 1))
    corporation = lines[str(investor(8).address)]  # 株式会社みらい資産管理, 4 units
    gross = 4 * 175
    assert corporation.gross == gross
    assert corporation.tax == gross * 153_150 // 1_000_000  # 15.315%, no local tax


def test_coupon_2__payment_day_moved_back__still_a_regular_half_year(world):
    platform = world.platform
    travel_to(date(2027, 7, 15))
    pay_record_date(platform, "STBOND1", date(2027, 6, 30), world.ops.paying_agent, progress=False)
    travel_to(date(2028, 1, 14))  # 2028-01-15 is a Saturday: paid the Friday before
    start = chain.blocks.height
    pay_record_date(platform, "STBOND1", date(2027, 12, 31), world.ops.paying_agent, progress=False)
    lines = _holder_lines(platform, (start, chain.blocks.height + 1))
    assert lines[str(investor(3).address)].gross == 30 * 175  # not 30 x 175.479...


def test_pay__before_the_payment_date__nothing_moves(world):
    platform = world.platform
    travel_to(date(2027, 7, 5))  # after the record date, ten days before the payment date
    agent = world.ops.paying_agent
    before = (chain.blocks.height, platform.yen.balanceOf(agent))
    with pytest.raises(KabutoError):
        pay_record_date(platform, "STBOND1", date(2027, 6, 30), agent, progress=False)
    assert (chain.blocks.height, platform.yen.balanceOf(agent)) == before


def test_redeem__months_before_maturity__nothing_moves(world):
    platform = world.platform
    travel_to(date(2027, 4, 14))
    agent = world.ops.paying_agent
    before = (chain.blocks.height, platform.yen.balanceOf(agent))
    with pytest.raises(KabutoError):
        redeem_at_maturity(platform, "STBOND1", agent, progress=False)
    assert (chain.blocks.height, platform.yen.balanceOf(agent)) == before


def test_pay__coin_switched_to_eligibility_mode__coupon_paid(world):
    platform = world.platform
    send(platform.yen.setEligibilityRequired, True, sender=world.ops.trust_bank)
    travel_to(date(2027, 7, 15))
    report = pay_record_date(
        platform, "STBOND1", date(2027, 6, 30), world.ops.paying_agent, progress=False
    )
    assert report.batches.sent == 10


def test_issue__before_the_issue_date__refused_unless_allowed(world, tmp_path):
    text = STBOND[0].read_text().replace("STBOND1", "STBOND2")
    later = text.replace("2028-", "2029-").replace("2027-", "2028-")  # every date a year on
    sheet = write(tmp_path / "late.yaml", later)
    height = chain.blocks.height
    with pytest.raises(KabutoError):
        issue(world, sheet, EXAMPLES / "stbond1-allocation.csv")
    assert chain.blocks.height == height
