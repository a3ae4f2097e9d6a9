"""The venue's bench keys at a small scale: the matching rate and latencies from a real engine
run, the gas per trade from a real settled batch, and all of them in the results files."""

import json

from kabuto.bench import report
from kabuto.bench import venue as venue_bench
from kabuto.bench.model import GasMeasurement, RateMeasurement, Results, RunInfo


def test_matching_rate_and_latency_are_measured_from_an_engine_run():
    outcomes = {o.key: o for o in venue_bench.measure_matching(orders=3_000, latency_orders=1_000)}
    rate, p50, p99 = (outcomes[k] for k in venue_bench.KEYS[:3])
    assert all(isinstance(o, RateMeasurement) for o in (rate, p50, p99))
    assert rate.value > 1_000 and rate.unit == "orders/s"
    assert 0 < p50.value <= p99.value and p50.unit == "us"
    assert "executions" in rate.note and "journal" in p50.note


def test_gas_per_trade_from_a_batch_the_venue_settled(new_bench_context, tmp_path):
    gas = venue_bench.measure_settlement(new_bench_context("venue"), trades=12)
    assert isinstance(gas, GasMeasurement) and gas.key == venue_bench.GAS_KEY
    assert 5_000 < gas.gas < 60_000  # per trade: a security leg, the yen netted
    results = Results(
        RunInfo("anvil", 1, "prague", "cancun", "now", "abc"),
        gas_keys=list(venue_bench.KEYS),
        time_keys=[],
    )
    for outcome in venue_bench.measure_matching(orders=500, latency_orders=200) + [gas]:
        results.add(outcome)
    json_path, md_path = report.write(results, tmp_path)
    data = json.loads(json_path.read_text())
    assert set(data["values"]) == set(venue_bench.KEYS[:3])
    assert data["gas"] == {venue_bench.GAS_KEY: gas.gas}
    assert "venue.match_orders_per_s" in md_path.read_text()
