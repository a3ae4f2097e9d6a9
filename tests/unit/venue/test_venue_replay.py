"""The replay tool: an order file through the engine into the executions file that
settle_batch reads; a bad order file is refused whole, naming rows."""

from datetime import date
from pathlib import Path

import pytest

from kabuto.errors import InputError
from kabuto.inputs.executions import load_executions
from kabuto.venue.config import load_venue_config
from kabuto.venue.replay import replay

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CONFIG = load_venue_config(EXAMPLES / "venue.yaml")


def test_example_orders_replay_into_a_settle_batch_file(tmp_path):
    out = tmp_path / "executions.csv"
    result = replay(CONFIG, EXAMPLES / "venue-orders.csv", date(2027, 2, 1), out)
    loaded = load_executions(out, known_symbols={"STBOND1", "RETRUST1"})
    rows = list(loaded)
    assert len(rows) == len(result.venue.trades) == 9
    # The opening auction: sells 5 at 100,020 and 10 at 100,030; buys 4 at 100,030 and 3 at
    # 100,025. 100,020 and 100,025 both execute 5 leaving 2 buy units: buy pressure, the higher
    # price, 100,025; the better-priced buyer (4 at 100,030) fills first.
    first = rows[0]
    assert (first.symbol, first.quantity, first.yen_amount) == ("STBOND1", 4, 400_100)
    assert sum(r.yen_amount for r in rows) == sum(
        t.execution.yen_amount for t in result.venue.trades.values()
    )
    assert [(n, a.reason) for n, a in result.refused] == [(12, "unknown_order")]


def test_the_same_file_replays_to_the_same_executions(tmp_path):
    a = replay(CONFIG, EXAMPLES / "venue-orders.csv", date(2027, 2, 1), tmp_path / "a.csv")
    b = replay(CONFIG, EXAMPLES / "venue-orders.csv", date(2027, 2, 1), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert a.venue.snapshot() == b.venue.snapshot()


def test_a_bad_order_file_names_every_row(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "time,action,ref,participant,investor,symbol,side,price,quantity\n"
        "09:00,new,X,SEC-A,INV-001,STBOND1,buy,100000,1\n"
        "08:59,new,Y,SEC-A,INV-001,STBOND1,buy,100000,1\n"  # out of time order
        "09:01,cancel,Z,,,,,,\n"  # no such order
        "09:02,new,X,SEC-A,INV-001,STBOND1,buy,100000,1\n"  # ref again
        "09:03,new,W,SEC-A,INV-001,STBOND1,hold,100000,\n"  # bad side, no quantity
    )
    with pytest.raises(InputError) as error:
        replay(CONFIG, orders, date(2027, 2, 1), tmp_path / "out.csv")
    assert {i.row for i in error.value.issues} == {3, 4, 5, 6}
    assert not (tmp_path / "out.csv").exists()
