"""The benchmark measures the ERC-20 floor and T-REX from receipts, and reports every key."""

import copy
import json

import pytest

from kabuto.bench import report
from kabuto.bench.model import GasMeasurement
from kabuto.bench.peers import kabuto as kabuto_peer
from kabuto.bench.registry import peer_named
from kabuto.bench.runner import BenchConfig, measure_all
from kabuto.bench.targets import TARGETS, Status


@pytest.fixture(scope="module")
def measured(new_bench_context, chain):
    """One run of the ERC-20, TransferFloor and T-REX peers (no throughput), shared below."""
    config = BenchConfig(peers=("erc20", "floor", "trex"), throughput=False)
    return measure_all(new_bench_context("peers"), config, hardfork=chain.provider.evm_version)


def test_erc20__new_holder_costs_more_than_existing_holder(measured):
    new, existing = (
        measured.gas("erc20.transfer.new_holder"),
        measured.gas("erc20.transfer.existing_holder"),
    )
    # A zero->non-zero balance write costs 17,100 more than a non-zero->non-zero one.
    assert new - existing == 17_100
    assert 30_000 < existing < new < 60_000


def test_trex__every_operation_measured_in_the_published_neighbourhood(measured):
    published = {
        "trex.transfer.new_holder": 228_811,
        "trex.transfer.existing_holder": 211_711,
        "trex.issue.new_holder": 223_651,
        "trex.forced_transfer.new_holder": 224_142,
        "trex.onboard_investor": 762_961,
    }
    for key, figure in published.items():
        gas = measured.gas(key)
        assert gas is not None and gas > 150_000, key
        assert abs(gas - figure) / figure < 0.05, f"{key}: measured {gas}, published {figure}"
    assert measured.outcomes["trex.onboard_investor"].txs == 3
    assert measured.gas("trex.transfer.new_holder") > measured.gas("trex.transfer.existing_holder")


def test_results__json_has_every_declared_key_and_ratios_to_the_floor(measured, tmp_path):
    json_path, md_path = report.write(measured, tmp_path)
    data = json.loads(json_path.read_text())
    assert set(data["gas"]) == {
        k for name in ("erc20", "floor", "trex") for k in peer_named(name).keys
    }
    assert all(isinstance(v, int) for v in data["gas"].values())
    ratio = data["ratio_to_erc20"]["trex.transfer.new_holder"]
    assert ratio == round(
        data["gas"]["trex.transfer.new_holder"] / data["gas"]["erc20.transfer.new_holder"], 4
    )
    assert "erc20.transfer.new_holder" not in data["ratio_to_erc20"]
    table = md_path.read_text()
    assert f"{data['gas']['trex.transfer.new_holder']:,}" in table
    assert "| eligible transfer, recipient already holds | <= 1.30x ERC-20 | - | pending |" in table


@pytest.fixture(scope="module")
def kabuto_measured(new_bench_context):
    """The Kabuto peer on the test chain, with a 10-trade venue batch instead of 100."""
    outcomes = kabuto_peer.measure(new_bench_context("kabuto"), batch_trades=10)
    return {o.key: o for o in outcomes}


def test_kabuto_peer__measures_every_key_from_receipts(kabuto_measured):
    assert set(kabuto_measured) == set(peer_named("kabuto").keys)
    for key, outcome in kabuto_measured.items():
        assert isinstance(outcome, GasMeasurement), key
        assert outcome.note, f"{key} has no note saying what it includes"
    batch = kabuto_measured["kabuto.onboard_investor.batch100_per_investor"]
    assert batch.gas < kabuto_measured["kabuto.onboard_investor"].gas and batch.txs == 1
    assert kabuto_measured["kabuto.onboard_investor"].txs == 1
    assert kabuto_measured["kabuto.approved_transfer.total"].txs == 2
    assert kabuto_measured["kabuto.approved_transfer.batch50_per_application"].txs == 51
    assert kabuto_measured["kabuto.dvp.total"].txs == 2
    assert "acceptWithPermit" in kabuto_measured["kabuto.dvp.total"].note


def test_kabuto_peer__costs_ordered_as_the_operations_are(kabuto_measured):
    gas = {k: o.gas for k, o in kabuto_measured.items() if isinstance(o, GasMeasurement)}
    # Same zero->non-zero balance write difference as the floor, plus the holder count update.
    assert gas["kabuto.transfer.new_holder"] - gas["kabuto.transfer.existing_holder"] >= 17_100
    assert (
        34_453
        < gas["kabuto.transfer.existing_holder"]
        < gas["kabuto.transfer.new_holder"]
        < 100_000
    )
    assert gas["kabuto.approved_transfer.total"] > gas["kabuto.transfer.new_holder"]
    # Issue 19: one-slot application record, the agent approving 50 at once, each application
    # its own applicant and a new holder. Target 110,000 NOT met (docs/approvals-and-locks.md,
    # "Gas": what each application must pay adds up to ~107,000 before any logic); the bound is
    # pinned to what is reached. The single call's target is met.
    batch = gas["kabuto.approved_transfer.batch50_per_application"]
    assert batch <= 121_000, f"batch of 50: {batch:,} gas per application"
    assert batch < gas["kabuto.approved_transfer.total"] - 25_000
    assert gas["kabuto.approved_transfer.total"] <= 176_118
    # A batch trade pays no 21,000 base fee of its own: cheaper than a single DvP.
    assert gas["kabuto.batch_settlement.per_trade"] < gas["kabuto.dvp.total"]


def test_kabuto_targets__evaluated_against_the_floor_measured_in_the_same_run(
    measured, kabuto_measured
):
    measured = copy.deepcopy(measured)
    for outcome in kabuto_measured.values():
        measured.gas_keys.append(outcome.key)
        measured.add(outcome)
    statuses = {t.key: t.status(measured) for t in TARGETS}
    for key in (
        "kabuto.transfer.new_holder",
        "kabuto.transfer.existing_holder",
        "kabuto.issue.new_holder",
        "kabuto.approved_transfer.total",
        "kabuto.dvp.total",
        "kabuto.onboard_investor",
        "kabuto.onboard_investor.batch100_per_investor",
        "kabuto.approved_transfer.batch50_per_application",
    ):
        assert statuses[key] in (Status.MET, Status.NOT_MET), key
    ratio = measured.gas("kabuto.transfer.new_holder") / measured.gas("floor.transfer.new_holder")
    assert (statuses["kabuto.transfer.new_holder"] is Status.MET) == (ratio <= 1.01)
