"""`ape run pay` / `ape run redeem` / `ape run issue` as a paying agent relies on them (issue 14,
points 3, 9, 10, 11, 12 and issue 15's payment records; the first six tests failed on 16b48fb):
the tax each holder's status asks for, coupon amounts as the term sheet fixes them, nothing moved
by a run that will refuse, money to an investor's current wallet, the per-holder payment file,
and the platform working with the coin in eligibility mode."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from ape import chain, project
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from jobs_support import EXAMPLES, STBOND, investor, issue, write

from kabuto.chainread import ChainReader
from kabuto.errors import ChainReadError, ChainStateError, InputError, KabutoError
from kabuto.onchain_types import TaxStatus
from kabuto.ops import export, trading
from kabuto.ops.chain import send
from kabuto.ops.clock import travel_to
from kabuto.ops.export import (
    export_register,
    read_holdings,
    read_holdings_and_statuses,
    read_tax_statuses,
)
from kabuto.ops.issue import plan_issue
from kabuto.ops.payments import holder_amounts, pay_record_date, redeem_at_maturity

UNITS = {1: 10, 2: 5, 3: 30, 4: 1, 5: 12, 6: 3, 7: 50, 12: 2, 8: 4, 9: 3}  # the allocation


@pytest.fixture(scope="module")
def module_world(module_world):
    issue(module_world, *STBOND)
    trading.mint_yen(
        module_world.platform,
        module_world.ops.trust_bank,
        {str(module_world.ops.paying_agent.address): 20_000_000},
    )
    return module_world


def _paid(platform, start):
    return {
        str(log.holder): (log, holder_amounts(log.amounts))
        for log in platform.corporate.HolderPaid.range(start, chain.blocks.height + 1)
    }


def _first_coupon(world, tmp_path, **kwargs):
    travel_to(date(2027, 7, 15))
    start = chain.blocks.height
    report = pay_record_date(
        world.platform,
        "STBOND1",
        date(2027, 6, 30),
        world.ops.paying_agent,
        progress=False,
        records_dir=tmp_path,
        **kwargs,
    )
    return report, _paid(world.platform, start)


def test_withholding_by_tax_status__and_the_payment_records(world, tmp_path):
    """Each holder taxed by its tax status; one record per holder (a frozen one held), the
    chain id in the file name, the rows reconciled with the contract's totals."""
    platform, ops = world.platform, world.ops
    send(platform.token("STBOND1").setAddressFrozen, investor(6), True, sender=ops.compliance)
    report, lines = _first_coupon(world, tmp_path)
    expected = {  # (national, local) in millionths, by examples/investors.csv's tax_status
        1: (153_150, 50_000),  # 山田 太郎: resident individual
        8: (153_150, 0),  # 株式会社みらい資産管理: domestic corporation, no local tax since 2016
        9: (0, 0),  # かぶと信託銀行株式会社: exempt
        12: (153_150, 0),  # 中村 ジョン: non-resident, no local tax
    }
    for number, (national, local) in expected.items():
        _, amounts = lines[str(investor(number).address)]
        gross = UNITS[number] * 175
        assert (amounts.gross, amounts.national_tax, amounts.local_tax) == (
            gross,
            gross * national // 10**6,
            gross * local // 10**6,
        )
    csv_path, json_path = report.records
    assert csv_path.name == f"{chain.chain_id}-STBOND1-interest-2027-06-30-payment1.csv"
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["investor_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {f"INV-{n:03d}" for n in UNITS}
    corporation = rows["INV-008"]
    assert (corporation["tax_status"], corporation["units"], corporation["gross_yen"]) == (
        "DomesticCorporation",
        "4",
        "700",
    )
    assert (corporation["national_tax_yen"], corporation["local_tax_yen"]) == ("107", "0")
    assert rows["INV-006"]["status"] == "held" and rows["INV-001"]["status"] == "paid"
    document = json.loads(json_path.read_text())
    assert document["reconciled"] and document["chain_id"] == chain.chain_id
    assert document["totals"]["all"]["gross_yen"] == sum(UNITS.values()) * 175


def test_treaty_rate__coin_switched_to_eligibility_mode_after_deployment(world, tmp_path):
    """A non-resident's treaty rate; and the coin's eligibility mode switched on after
    `ape run deploy`: the paying agent, the tax account and CorporateActions are system
    accounts already, so the coupon is paid (on 16b48fb: YenNotEligible)."""
    send(world.platform.yen.setEligibilityRequired, True, sender=world.ops.trust_bank)
    report, lines = _first_coupon(world, tmp_path, treaty_rates={"INV-012": 100_000})
    assert report.batches.sent == len(UNITS)
    _, amounts = lines[str(investor(12).address)]
    assert (amounts.national_tax, amounts.local_tax) == (2 * 175 // 10, 0)
    with pytest.raises(InputError, match="non-residents only"):
        pay_record_date(
            world.platform,
            "STBOND1",
            date(2027, 6, 30),
            world.ops.paying_agent,
            progress=False,
            treaty_rates={"INV-001": 100_000},
        )


def test_coupon_2__payment_day_moved_back__still_a_regular_half_year(world, tmp_path):
    _first_coupon(world, tmp_path)
    with pytest.raises(ChainStateError, match="payable from 2028-01-14"):  # the Thursday before
        travel_to(date(2028, 1, 13))
        pay_record_date(world.platform, "STBOND1", date(2027, 12, 31), world.ops.paying_agent)
    travel_to(date(2028, 1, 14))  # 2028-01-15 is a Saturday: paid the Friday before
    start = chain.blocks.height
    pay_record_date(
        world.platform, "STBOND1", date(2027, 12, 31), world.ops.paying_agent, progress=False
    )
    lines = _paid(world.platform, start)
    assert lines[str(investor(3).address)][1].gross == 30 * 175  # not 30 x 175.479...
    redemption = redeem_at_maturity(
        world.platform, "STBOND1", world.ops.paying_agent, progress=False
    )
    assert redemption.gross == sum(UNITS.values()) * 100_000


def test_pay__before_the_payment_date__nothing_moves(world):
    platform = world.platform
    travel_to(date(2027, 7, 5))  # after the record date, ten days before the payment date
    agent = world.ops.paying_agent
    before = (chain.blocks.height, platform.yen.balanceOf(agent))
    with pytest.raises(ChainStateError, match="payable from 2027-07-15.*nothing was sent"):
        pay_record_date(platform, "STBOND1", date(2027, 6, 30), agent, progress=False)
    assert (chain.blocks.height, platform.yen.balanceOf(agent)) == before


def test_redeem__months_before_maturity__nothing_moves(world):
    platform = world.platform
    travel_to(date(2027, 4, 14))
    agent = world.ops.paying_agent
    before = (chain.blocks.height, platform.yen.balanceOf(agent))
    with pytest.raises(ChainStateError, match="payable from 2028-01-14"):
        redeem_at_maturity(platform, "STBOND1", agent, progress=False)
    assert (chain.blocks.height, platform.yen.balanceOf(agent)) == before


def test_issue__before_the_issue_date__refused_unless_allowed(world, tmp_path):
    text = STBOND[0].read_text().replace("STBOND1", "STBOND2")
    later = text.replace("2028-", "2029-").replace("2027-", "2028-")  # every date a year on
    sheet = write(tmp_path / "late.yaml", later)
    height = chain.blocks.height
    with pytest.raises(ChainStateError, match="--allow-early"):
        plan_issue(world.platform, sheet, EXAMPLES / "stbond1-allocation.csv")
    assert chain.blocks.height == height
    plan = plan_issue(world.platform, sheet, EXAMPLES / "stbond1-allocation.csv", allow_early=True)
    assert len(plan.allotments) == len(UNITS)


def test_pay__no_yen__refused_before_anything_is_sent(world):
    platform, agent = world.platform, world.ops.paying_agent
    send(platform.yen.transfer, world.ops.trust_bank, platform.yen.balanceOf(agent), sender=agent)
    travel_to(date(2027, 7, 15))
    height = chain.blocks.height
    with pytest.raises(ChainStateError, match="needs 21,000"):
        pay_record_date(platform, "STBOND1", date(2027, 6, 30), agent, progress=False)
    assert chain.blocks.height == height


def test_pay__replaced_wallet__paid_to_the_investors_new_wallet(world, tmp_path):
    platform, ops = world.platform, world.ops
    lost, fresh = investor(5), investor(15)
    investor_id = platform.registry.investorIdOf(lost)
    send(platform.registry.replaceWallet, investor_id, fresh, sender=ops.registrar)
    before = platform.yen.balanceOf(lost)
    _, lines = _first_coupon(world, tmp_path)
    log, amounts = lines[str(lost.address)]
    assert str(log.recipient) == str(fresh.address)
    assert platform.yen.balanceOf(lost) == before
    assert platform.yen.balanceOf(fresh) == amounts.net


def test_payment_records__a_run_stopped_midway__shows_the_unpaid(world, tmp_path, monkeypatch):
    import kabuto.ops.payments as payments

    real_send = payments.send
    batches = []

    def crashing_send(method, *args, sender):
        if "payBatch" in repr(method):
            if batches:
                raise ConnectionError("node restarted")
            batches.append(args)
        return real_send(method, *args, sender=sender)

    monkeypatch.setattr(payments, "send", crashing_send)
    travel_to(date(2027, 7, 15))
    with pytest.raises(ConnectionError):
        pay_record_date(
            world.platform,
            "STBOND1",
            date(2027, 6, 30),
            world.ops.paying_agent,
            batch_size=4,
            progress=False,
        )
    csv_path, _ = payments.write_payment_records(world.platform, 1, tmp_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        statuses = [row["status"] for row in csv.DictReader(handle)]
    assert statuses.count("paid") == 4 and statuses.count("unpaid") == len(UNITS) - 4


def test_register_export__shows_each_holders_tax_status(world, tmp_path):
    export = export_register(
        world.platform, "STBOND1", str(world.ops.issuer.address), tmp_path, world.keys
    )
    statuses = {e.investor_id: e.tax_status for e in export.register.entries}
    assert statuses["INV-001"] == "ResidentIndividual"
    assert statuses["INV-008"] == "DomesticCorporation"
    assert statuses["INV-009"] == "Exempt"
    assert statuses["INV-012"] == "NonResident"
    assert "課税区分 (tax status)" in export.csv_path.read_text(encoding="utf-8-sig")


def test_pay__token_not_on_the_platform_list__refused_before_anything_is_sent(world):
    platform = world.platform
    token = platform.token("STBOND1")
    send(platform.registry.setPlatformToken, token, False, sender=world.ops.deployer)
    travel_to(date(2027, 7, 15))
    height = chain.blocks.height
    with pytest.raises(KabutoError, match="not listed as a platform token"):
        pay_record_date(platform, "STBOND1", date(2027, 6, 30), world.ops.paying_agent)
    assert chain.blocks.height == height


def test_register_reads__holdings_reader_equals_single_calls(world, monkeypatch):
    """The export reads ids, balances and tax statuses by HoldingsReader calls of 250 wallets
    (kabuto.holdings); they equal the single calls, for holders, a wallet no investor owns, and
    more wallets than one call takes; at the head and at a passed record date."""
    platform = world.platform
    token, registry = platform.token("STBOND1"), platform.registry
    reader = ChainReader(str(chain.provider.http_uri))
    holders = [str(investor(i).address) for i in UNITS]
    strangers = [to_checksum_address(keccak(text=f"nobody {i}")[-20:]) for i in range(520)]
    wallets = holders + strangers
    head = chain.blocks.height
    passed = [
        i
        for i in range(int(token.recordDateCount()))
        if int(token.recordDate(i)) < chain.blocks.head.timestamp
    ]
    for record_index in [None, *passed[:1]]:
        ids, balances, supply = read_holdings(
            reader, str(registry.address), str(token.address), wallets, head, record_index
        )
        statuses = read_tax_statuses(reader, str(registry.address), list(ids.values()), head)
        assert read_holdings_and_statuses(
            reader, str(registry.address), str(token.address), wallets, head, record_index
        ) == (ids, balances, supply, statuses)
        with monkeypatch.context() as node_without_creation_calls:  # the fallback: single calls
            node_without_creation_calls.setattr(export, "_holdings_reader_code", lambda: "0x00")
            assert read_holdings_and_statuses(
                reader, str(registry.address), str(token.address), wallets, head, record_index
            ) == (ids, balances, supply, statuses)
        assert supply > 0 and any(balances[w] for w in holders)
        assert {statuses[ids[w]] for w in holders if ids[w]} > {TaxStatus.RESIDENT_INDIVIDUAL}
        assert {ids[w] for w in strangers} == {""}
    with pytest.raises(ChainReadError, match="HoldingsReaderTooManyWallets|reverted|execution"):
        reader.eth_call(
            [
                (
                    None,
                    str(project.HoldingsReader.contract_type.deployment_bytecode.bytecode)
                    + encode(
                        ["address", "address", "address[]", "bool", "uint256"],
                        [str(registry.address), str(token.address), strangers[:251], False, 0],
                    ).hex(),
                )
            ],
            head,
        )
