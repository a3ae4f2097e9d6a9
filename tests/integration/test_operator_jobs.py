"""Each operator job's happy path and its bad-input cases (nothing sent), on the test chain:
deploy, onboard and issue. The jobs that need the securities issued first (settle, approve,
pay, redeem, export, force) are in test_trading_jobs.py."""

from __future__ import annotations

from datetime import date

import ape
import pytest
from ape import chain
from eth_utils import keccak, to_checksum_address
from jobs_support import EXAMPLES, PROTRUST, RETRUST, STBOND, investor, issue, write

from kabuto.coupons import end_of_jst_day
from kabuto.domain import investor_id_to_bytes32, jst_date
from kabuto.errors import ChainStateError, InputError
from kabuto.ops import onboard
from kabuto.ops.chain import investor_record, send
from kabuto.ops.deploy import deploy_platform
from kabuto.ops.issue import issued_wallets, plan_issue
from kabuto.ops.onboard import plan_onboarding, run_onboarding


def allocation_of(path) -> dict[str, int]:
    lines = path.read_text().splitlines()[1:]
    return {line.split(",")[0]: int(line.split(",")[1]) for line in lines}


def test_deploy__rerun__keeps_everything(world):
    report = deploy_platform(world.ops, world.deployments, world.keys)
    assert report.deployed == [] and report.roles_granted == []
    assert set(report.kept) == {
        "InvestorRegistry",
        "YenCoin",
        "Settlement",
        "BatchSettlement",
        "CorporateActions",
        "PrimaryOffering",
    }
    assert world.deploy_report.key_files.private.stat().st_mode & 0o077 == 0


def test_onboard__all_examples_registered_with_encrypted_data(world):
    registry = world.platform.registry
    assert registry.investorCount() == 12
    assert registry.isEligible(investor(12))
    report = run_onboarding(
        plan_onboarding(world.platform, EXAMPLES / "investors.csv", str(world.ops.issuer.address)),
        world.ops.registrar,
        progress=False,
    )
    assert (report.sent, report.already_done) == (0, 12)


def test_onboard__rerun_reads_stored_data_in_bounded_queries(world, monkeypatch):
    """The rerun's look-up of stored personal data names at most IDS_PER_LOG_QUERY investor ids
    a query (100,000 ids in one query were a 6.7 MB request that anvil refused, found by `make
    bench-scale`); split in queries of 5 ids it finds exactly what one query finds."""
    registry, issuer = world.platform.registry, str(world.ops.issuer.address)
    ids = [investor_id_to_bytes32(f"INV-{n:03d}") for n in range(1, 13)]
    whole = onboard.latest_personal_data(registry, issuer, ids)
    assert len(whole) == 12
    queries = []
    real_get_logs = chain.provider.web3.eth.get_logs
    monkeypatch.setattr(onboard, "IDS_PER_LOG_QUERY", 5)
    monkeypatch.setattr(
        chain.provider.web3.eth,
        "get_logs",
        lambda query: queries.append(len(query["topics"][1])) or real_get_logs(query),
    )
    assert onboard.latest_personal_data(registry, issuer, ids) == whole
    assert queries == [5, 5, 2]
    report = run_onboarding(
        plan_onboarding(world.platform, EXAMPLES / "investors.csv", issuer),
        world.ops.registrar,
        progress=False,
    )
    assert (report.sent, report.already_done) == (0, 12)


def test_onboard__new_rows_one_call_each__registered_without_data_gets_data(world, tmp_path):
    registry, issuer = world.platform.registry, str(world.ops.issuer.address)
    fresh, half = (to_checksum_address(keccak(text=f"onboard-{n}")[:20]) for n in (1, 2))
    send(
        registry.registerInvestor,
        investor_id_to_bytes32("HALF-1"),
        half,
        0,
        392,
        end_of_jst_day(date(2030, 1, 1)),
        sender=world.ops.registrar,
    )
    rows = write(
        tmp_path / "investors.csv",
        "investor_id,class,tax_status,country,kyc_expiry,wallet,name,address\n"
        f"NEW-1,General,ResidentIndividual,392,2030-01-01,{fresh},山田 太郎,東京都千代田区\n"
        f"HALF-1,General,ResidentIndividual,392,2030-01-01,{half},佐藤 花子,大阪府大阪市\n",
    )
    start = chain.blocks.height
    report = run_onboarding(
        plan_onboarding(world.platform, rows, issuer), world.ops.registrar, progress=False
    )
    assert (report.sent, report.already_done) == (2, 0)
    # One transaction per new investor; the one registered without data gets its data and the
    # tax status the file declares (it was registered without one).
    assert chain.blocks.height - start == 3
    assert registry.taxStatusOf(investor_id_to_bytes32("HALF-1")) == 1
    stored = [log for log in registry.PersonalDataStored.range(start + 1, chain.blocks.height + 1)]
    assert {bytes(log.investorId) for log in stored} == {
        investor_id_to_bytes32("NEW-1"),
        investor_id_to_bytes32("HALF-1"),
    }
    assert registry.walletOf(investor_id_to_bytes32("NEW-1")) == fresh


def test_onboard__bad_checksum_and_taken_wallet__nothing_sent(world, tmp_path, no_transaction_sent):
    bad = write(
        tmp_path / "investors.csv",
        "investor_id,class,tax_status,country,kyc_expiry,wallet,name,address\n"
        "NEW-1,General,ResidentIndividual,392,2030-01-01,0x70997970c51812dc3A010C7d01b50e0d17dc79C8,A,B\n",
    )
    with pytest.raises(InputError) as error:
        plan_onboarding(world.platform, bad, str(world.ops.issuer.address))
    assert error.value.issues[0].row == 2 and error.value.issues[0].field == "wallet"
    taken = write(
        tmp_path / "taken.csv",
        "investor_id,class,tax_status,country,kyc_expiry,wallet,name,address\n"
        "NEW-1,General,ResidentIndividual,392,2030-01-01,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,A,B\n",
    )
    with pytest.raises(InputError, match="already the wallet of investor 'INV-001'"):
        plan_onboarding(world.platform, taken, str(world.ops.issuer.address))


def test_issue__bond__balances_as_allocated_and_rerun_issues_nothing(world):
    plan, report = issue(world, *STBOND)
    token = world.platform.token("STBOND1")
    assert report.deployed and report.batches.sent == 10
    for allotment in plan.allotments:
        assert token.balanceOf(allotment.wallet) == allotment.units
    assert token.totalSupply() == sum(allocation_of(STBOND[1]).values())
    assert token.getDocument(b"terms".ljust(32, b"\0"))[0].endswith("stbond1-terms.md")
    _, again = issue(world, *STBOND)
    assert not again.deployed and again.batches.sent == 0 and again.batches.already_done == 10


def test_issue__general_investor_for_professional_token__nothing_sent(
    world, tmp_path, no_transaction_sent
):
    allocation = write(
        tmp_path / "alloc.csv", "investor_id,units\nINV-009,3\nINV-001,2\nINV-404,1\n"
    )
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
        plan_issue(world.platform, RETRUST[0], extra, "second")
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
    data = plan_issue(world.platform, *STBOND).data
    assert len(issued_wallets(token, data)) == 6
    monkeypatch.setattr(issue_module, "send", real_send)
    plan, report = issue(world, *STBOND, batch_size=3)
    assert (report.batches.already_done, report.batches.sent) == (6, 4)
    assert [bytes(log.data) for log in token.Issued.range(0, chain.blocks.height + 1)].count(
        data
    ) == 10
    for allotment in plan.allotments:
        assert token.balanceOf(allotment.wallet) == allotment.units


def test_issue__same_allocation_renamed__issues_nothing_twice(world, tmp_path):
    """Issue 15: the allocation under another file name issued every allotment again."""
    issue(world, *STBOND)
    token = world.platform.token("STBOND1")
    supply = token.totalSupply()
    renamed = tmp_path / "stbond1-allocation (1).csv"
    renamed.write_bytes(STBOND[1].read_bytes())
    _, again = issue(world, STBOND[0], renamed)
    assert token.totalSupply() == supply
    assert (again.batches.sent, again.batches.already_done) == (0, 10)


def test_issue__different_allocation_without_tranche__refused_then_named_tranche_issues(
    world, tmp_path
):
    issue(world, *STBOND)
    token = world.platform.token("STBOND1")
    supply = token.totalSupply()
    second = write(tmp_path / "stbond1-allocation.csv", "investor_id,units\nINV-001,1\n")
    height = chain.blocks.height
    with pytest.raises(ChainStateError, match="--tranche"):
        issue(world, STBOND[0], second)
    assert chain.blocks.height == height
    _, report = issue(world, STBOND[0], second, tranche="top-up")
    assert report.batches.sent == 1 and token.totalSupply() == supply + 1
    _, again = issue(world, STBOND[0], second, tranche="top-up")
    assert again.batches.sent == 0 and token.totalSupply() == supply + 1


def _changed_investors(tmp_path):
    lines = (EXAMPLES / "investors.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1].split(",")
    assert first[0] == "INV-001"
    first[1], first[4] = "Specified", "2032-03-31"
    return write(tmp_path / "investors.csv", "\n".join([header, ",".join(first)]) + "\n")


def test_onboard__changed_investor__differences_shown_nothing_sent(
    world, tmp_path, no_transaction_sent
):
    """Issue 15: a changed investor (now Specified, KYC to 2032) was reported as already on
    chain and nothing changed, silently."""
    changed = _changed_investors(tmp_path)
    with pytest.raises(ChainStateError) as error:
        plan_onboarding(world.platform, changed, str(world.ops.issuer.address))
    assert "INV-001" in str(error.value) and "--apply-changes" in str(error.value)
    assert "class General -> Specified" in str(error.value)
    assert "KYC expiry 2030-03-31 -> 2032-03-31" in str(error.value)


def test_onboard__changed_investor__apply_changes_updates_registry_once(world, tmp_path):
    changed = _changed_investors(tmp_path)
    registry = world.platform.registry
    plan = plan_onboarding(
        world.platform, changed, str(world.ops.issuer.address), apply_changes=True
    )
    report = run_onboarding(plan, world.ops.registrar, progress=False)
    assert report.sent == 1
    record = investor_record(registry, str(investor(1).address))
    assert record.investor_class == 1  # Specified
    assert jst_date(record.kyc_expiry) == date(2032, 3, 31)
    again = plan_onboarding(
        world.platform, changed, str(world.ops.issuer.address), apply_changes=True
    )
    assert again.changes == ()
    assert run_onboarding(again, world.ops.registrar, progress=False).sent == 0


def test_issue__beyond_total_issue_amount__refused_by_script_and_token(world, tmp_path):
    """The term sheet's total issue amount (200 bonds of STBOND1) becomes the token's issue
    limit; the script refuses an allocation beyond it, and so does the token itself."""
    issue(world, *STBOND)
    token = world.platform.token("STBOND1")
    over = write(tmp_path / "over.csv", "investor_id,units\nINV-001,81\n")
    height = chain.blocks.height
    with pytest.raises(InputError, match="total issue amount of 200 units"):
        plan_issue(world.platform, STBOND[0], over, "over")
    assert chain.blocks.height == height
    assert token.issueLimit() == 200
    with ape.reverts(token.TokenIssueLimitExceeded):
        send(token.issue, investor(1), 81, b"", sender=world.ops.issuer)  # gas-free chain
