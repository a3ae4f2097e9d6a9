"""Targets are judged met, not met or pending from the numbers alone."""

from kabuto.bench import report
from kabuto.bench.model import GasMeasurement, Pending, Results, RunInfo, TimeMeasurement
from kabuto.bench.targets import TARGETS, Status


def results_with(*outcomes):
    keys = [o.key for o in outcomes]
    info = RunInfo(
        client="anvil",
        chain_id=1337,
        hardfork="prague",
        evm_target="cancun",
        started_at="now",
        git_commit="abc",
    )
    results = Results(
        info=info,
        gas_keys=[k for k in keys if "." in k],
        time_keys=[k for k in keys if "." not in k],
    )
    for outcome in outcomes:
        results.add(outcome)
    return results


def target(key):
    return next(t for t in TARGETS if t.key == key)


def test_ratio_target__met_at_the_limit_and_not_met_above():
    floor = GasMeasurement("floor.transfer.new_holder", 60_000)
    at_limit = results_with(floor, GasMeasurement("kabuto.transfer.new_holder", 60_600))
    above = results_with(floor, GasMeasurement("kabuto.transfer.new_holder", 60_601))
    assert target("kabuto.transfer.new_holder").status(at_limit) is Status.MET
    assert target("kabuto.transfer.new_holder").status(above) is Status.NOT_MET


def test_gas_and_time_targets__strictly_under_the_limit():
    results = results_with(
        GasMeasurement("kabuto.dvp.total", 200_000, txs=2),
        TimeMeasurement("issue_10k_investors", 59.9, txs=20_000, gas=10**9),
    )
    assert target("kabuto.dvp.total").status(results) is Status.NOT_MET
    assert target("issue_10k_investors").status(results) is Status.MET


def test_pending_key__pending_target_and_null_in_json():
    results = results_with(
        GasMeasurement("erc20.transfer.new_holder", 51_553),
        Pending("kabuto.transfer.new_holder", "not yet available: pending contracts"),
    )
    assert target("kabuto.transfer.new_holder").status(results) is Status.PENDING
    data = report.to_json(results)
    assert data["gas"]["kabuto.transfer.new_holder"] is None
    assert data["pending"] == {"kabuto.transfer.new_holder": "not yet available: pending contracts"}
    assert "not yet available: pending contracts" in report.to_markdown(results)


def test_time_target__not_judged_on_a_scaled_down_run():
    results = results_with(
        TimeMeasurement("issue_10k_investors", 5.0, txs=4_000, gas=10**8, at_target_scale=False)
    )
    assert target("issue_10k_investors").status(results) is Status.PENDING
    assert report.to_json(results)["time_s"]["issue_10k_investors"] == 5.0
