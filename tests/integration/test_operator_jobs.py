"""Each operator job's happy path and its bad-input cases (nothing sent), on the test chain."""

from __future__ import annotations

from datetime import date

import pytest
from ape import chain
from eth_utils import keccak, to_checksum_address

from kabuto.domain import investor_id_to_bytes32
from kabuto.errors import ChainStateError, InputError
from kabuto.ops import approvals, operations, trading
from kabuto.ops.chain import send
from kabuto.ops.clock import travel_to
from kabuto.ops.deploy import deploy_platform
from kabuto.ops.export import export_register
from kabuto.ops.issue import issued_wallets, plan_issue, run_issue, tranche_data
from kabuto.ops.onboard import plan_onboarding, run_onboarding
from kabuto.ops.payments import pay_record_date, redeem_at_maturity
from kabuto.ops.settle import plan_batch, settle
from jobs_support import EXAMPLES, investor, write

STBOND = (EXAMPLES / "stbond1.yaml", EXAMPLES / "stbond1-allocation.csv")
RETRUST = (EXAMPLES / "retrust1.yaml", EXAMPLES / "retrust1-allocation.csv")
PROTRUST = (EXAMPLES / "protrust1.yaml", EXAMPLES / "protrust1-allocation.csv")


def issue(world, sheet, allocation, **kwargs):
    plan = plan_issue(world.platform, sheet, allocation, kwargs.pop("tranche", None))
    ops = world.ops
    return plan, run_issue(plan, ops.issuer, ops.paying_agent, ops.compliance, sheet,
                           progress=False, **kwargs)


def allocation_of(path) -> dict[str, int]:
    lines = path.read_text().splitlines()[1:]
    return {line.split(",")[0]: int(line.split(",")[1]) for line in lines}


def test_deploy__rerun__keeps_everything(world):
    report = deploy_platform(world.ops, world.deployments, world.keys)
    assert report.deployed == [] and report.roles_granted == []
    assert set(report.kept) == {"InvestorRegistry", "YenCoin", "Settlement", "BatchSettlement",
                                "CorporateActions", "PrimaryOffering"}
    assert world.deploy_report.key_files.private.stat().st_mode & 0o077 == 0


def test_onboard__all_examples_registered_with_encrypted_data(world):
    registry = world.platform.registry
    assert registry.investorCount() == 12
    assert registry.isEligible(investor(12))
    report = run_onboarding(plan_onboarding(world.platform, EXAMPLES / "investors.csv",
                                            str(world.ops.issuer.address)),
                            world.ops.registrar, progress=False)
    assert (report.sent, report.already_done) == (0, 12)


def test_onboard__new_rows_one_call_each__registered_without_data_gets_data(world, tmp_path):
    registry, issuer = world.platform.registry, str(world.ops.issuer.address)
    fresh, half = (to_checksum_address(keccak(text=f"onboard-{n}")[:20]) for n in (1, 2))
    send(registry.registerInvestor, investor_id_to_bytes32("HALF-1"), half, 0, 392,
         chain.pending_timestamp + 86_400 * 365, sender=world.ops.registrar)
    rows = write(tmp_path / "investors.csv",
                 "investor_id,class,country,kyc_expiry,wallet,name,address\n"
                 f"NEW-1,General,392,2030-01-01,{fresh},山田 太郎,東京都千代田区\n"
                 f"HALF-1,General,392,2030-01-01,{half},佐藤 花子,大阪府大阪市\n")
    start = chain.blocks.height
    report = run_onboarding(plan_onboarding(world.platform, rows, issuer), world.ops.registrar,
                            progress=False)
    assert (report.sent, report.already_done) == (2, 0)
    assert chain.blocks.height - start == 2  # one transaction per investor
    stored = [log for log in registry.PersonalDataStored.range(start + 1, chain.blocks.height + 1)]
    assert {bytes(log.investorId) for log in stored} == {investor_id_to_bytes32("NEW-1"),
                                                          investor_id_to_bytes32("HALF-1")}
    assert registry.walletOf(investor_id_to_bytes32("NEW-1")) == fresh


def test_onboard__bad_checksum_and_taken_wallet__nothing_sent(world, tmp_path,
                                                               no_transaction_sent):
    bad = write(tmp_path / "investors.csv",
                "investor_id,class,country,kyc_expiry,wallet,name,address\n"
                "NEW-1,General,392,2030-01-01,0x70997970c51812dc3A010C7d01b50e0d17dc79C8,A,B\n")
    with pytest.raises(InputError) as error:
        plan_onboarding(world.platform, bad, str(world.ops.issuer.address))
    assert error.value.issues[0].row == 2 and error.value.issues[0].field == "wallet"
    taken = write(tmp_path / "taken.csv",
                  "investor_id,class,country,kyc_expiry,wallet,name,address\n"
                  "NEW-1,General,392,2030-01-01,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,A,B\n")
    with pytest.raises(InputError, match="already the wallet of investor 'INV-001'"):
        plan_onboarding(world.platform, taken, str(world.ops.issuer.address))


def test_issue__bond__balances_as_allocated_and_rerun_issues_nothing(world):
    plan, report = issue(world, *STBOND)
    token = world.platform.token("STBOND1")
    assert report.deployed and report.batches.sent == 8
    for allotment in plan.allotments:
        assert token.balanceOf(allotment.wallet) == allotment.units
    assert token.totalSupply() == sum(allocation_of(STBOND[1]).values())
    assert token.getDocument(b"terms".ljust(32, b"\0"))[0].endswith("stbond1-terms.md")
    _, again = issue(world, *STBOND)
    assert not again.deployed and again.batches.sent == 0 and again.batches.already_done == 8


def test_issue__general_investor_for_professional_token__nothing_sent(world, tmp_path,
                                                                       no_transaction_sent):
    allocation = write(tmp_path / "alloc.csv", "investor_id,units\nINV-009,3\nINV-001,2\n"
                                               "INV-404,1\n")
    with pytest.raises(InputError) as error:
        plan_issue(world.platform, PROTRUST[0], allocation)
    rows = {(i.row, i.field) for i in error.value.issues}
    assert rows == {(3, "investor_id"), (4, "investor_id")}
    assert "General investor may not hold PROTRUST1" in str(error.value)
    assert "INV-404 is not registered" in str(error.value)


def test_issue__existing_token__detect_restriction_names_row(world, tmp_path):
    issue(world, *RETRUST)
    height = chain.blocks.height
    extra = write(tmp_path / "extra.csv", "investor_id,units\nINV-004,2\nINV-007,1\n")
    with pytest.raises(InputError) as error:
        plan_issue(world.platform, RETRUST[0], extra)
    assert [(i.row, i.field) for i in error.value.issues] == [(3, "units")]
    assert "BELOW_MINIMUM_HOLDING" in str(error.value)
    assert chain.blocks.height == height


def test_issue__stopped_midway__rerun_finishes_without_double_issue(world, monkeypatch):
    import kabuto.ops.issue as issue_module

    real_send = issue_module.send
    batches = []

    def crashing_send(method, *args, sender):
        if "batchIssue" in repr(method):
            if len(batches) == 2:
                raise ConnectionError("node restarted")
            batches.append(args)
        return real_send(method, *args, sender=sender)

    monkeypatch.setattr(issue_module, "send", crashing_send)
    with pytest.raises(ConnectionError):
        issue(world, *STBOND, batch_size=3)
    token = world.platform.token("STBOND1")
    assert len(issued_wallets(token, tranche_data("stbond1-allocation"))) == 6
    monkeypatch.setattr(issue_module, "send", real_send)
    plan, report = issue(world, *STBOND, batch_size=3)
    assert (report.batches.already_done, report.batches.sent) == (6, 2)
    assert [bytes(log.data) for log in token.Issued.range(0, chain.blocks.height + 1)].count(
        tranche_data("stbond1-allocation")) == 8
    for allotment in plan.allotments:
        assert token.balanceOf(allotment.wallet) == allotment.units


@pytest.fixture
def issued(world):
    for files in (STBOND, RETRUST, PROTRUST):
        issue(world, *files)
    platform = world.platform
    trading.mint_yen(platform, world.ops.trust_bank,
                     {str(investor(n).address): 10_000_000 for n in range(1, 13)}
                     | {str(world.ops.paying_agent.address): 12_000_000})
    return platform


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
    _lock_for_venue(issued, [(3, "STBOND1", 5), (7, "STBOND1", 10), (6, "RETRUST1", 6),
                             (8, "RETRUST1", 2)])
    for buyer in (1, 2, 4):
        trading.allow_venue_payment(issued, investor(buyer), 10_000_000)
    plan = plan_batch(issued, EXAMPLES / "venue-executions.csv", world.ops.venue_agent)
    report = settle(plan, world.ops.venue_agent)
    assert not report.already_settled and report.gross_yen == 9_540_450
    assert issued.token("STBOND1").balanceOf(investor(4)) == 1 + 5
    assert issued.token("RETRUST1").balanceOf(investor(4)) == 2
    again = settle(plan_batch(issued, EXAMPLES / "venue-executions.csv", world.ops.venue_agent),
                   world.ops.venue_agent)
    assert again.already_settled


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
    assert trading.restriction(token, str(seller.address), str(buyer.address), 5).name == "APPROVAL_REQUIRED"
    instruction = trading.instruct_dvp(issued, token, seller, str(buyer.address), 5, 50_000)
    assert token.lockedOf(dvp, seller) == 5
    send(dvp.approve, instruction.as_tuple(), sender=world.ops.issuer)
    send(issued.yen.approve, dvp, 50_000, sender=buyer)
    before = (token.balanceOf(buyer), issued.yen.balanceOf(seller))
    send(dvp.accept, instruction.as_tuple(), sender=buyer)
    assert (token.balanceOf(buyer), issued.yen.balanceOf(seller)) == (before[0] + 5, before[1] + 50_000)
    assert token.lockedOf(dvp, seller) == 0


def test_pay_redeem_and_export(world, issued, tmp_path):
    with pytest.raises(ChainStateError, match="has not passed"):
        pay_record_date(issued, "STBOND1", date(2027, 6, 30), world.ops.paying_agent,
                        progress=False)
    travel_to(date(2027, 7, 15))
    coupon = pay_record_date(issued, "STBOND1", date(2027, 6, 30), world.ops.paying_agent,
                             progress=False)
    assert coupon.batches.sent == 8 and coupon.gross == 113 * 175
    assert 0 < coupon.tax < coupon.gross and coupon.net == coupon.gross - coupon.tax
    again = pay_record_date(issued, "STBOND1", date(2027, 6, 30), world.ops.paying_agent,
                            progress=False)
    assert again.batches.sent == 0 and not again.declared_now and again.funded_now == 0
    travel_to(date(2028, 1, 14))
    redemption = redeem_at_maturity(issued, "STBOND1", world.ops.paying_agent, progress=False)
    assert redemption.gross == 113 * 100_000 and issued.token("STBOND1").totalSupply() == 0
    export = export_register(issued, "STBOND1", str(world.ops.issuer.address), tmp_path,
                             world.keys, record_date=date(2027, 6, 30))
    assert export.reconciled and export.register.reconciliation.register_units == 113
    text = export.csv_path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and "山田 太郎".encode() in text
    assert b"RECONCILED" in export.json_path.read_bytes()


def test_force_transfer__needs_reason_and_eligible_recipient(world, issued):
    token = issued.token("PROTRUST1")
    height = chain.blocks.height
    with pytest.raises(InputError, match="give the reason"):
        operations.force_transfer(token, world.ops.issuer, str(investor(9).address),
                                  str(investor(10).address), 1, "court-order", " ")
    with pytest.raises(InputError, match="may not receive"):
        operations.force_transfer(token, world.ops.issuer, str(investor(9).address),
                                  str(investor(1).address), 1, "court-order", "order 12")
    assert chain.blocks.height == height
