"""The journal replays to the same venue; a torn last line is dropped, other damage is not."""

import pytest
from venue_support import DAY, WALLETS, at, config, order

from kabuto.venue.engine import Venue
from kabuto.venue.facts import StaticFacts
from kabuto.venue.journal import Journal, JournalError, read_journal


def trading_day(journal):
    code = 8
    facts = StaticFacts(open=True, pair_codes={("ST", WALLETS["INV-B"], WALLETS["INV-C"]): code})
    v = Venue(config(), facts, DAY, {"ST": 1000}, journal)
    v.advance(at("08:00"))
    order(v, "INV-A", "sell", 995, 5, "08:10")
    order(v, "INV-C", "buy", 1000, 3, "08:20")
    v.advance(at("09:00"))
    order(v, "INV-B", "sell", 1000, 4, "09:10")
    order(v, "INV-C", "buy", 1000, 4, "09:11")  # refused pair: the rest is cancelled
    ack = order(v, "INV-A", "buy", 990, 4, "09:12")
    v.amend("P1", ack.order_id, at("09:13"), quantity=2)
    v.cancel("P1", ack.order_id, at("09:14"))
    order(v, "INV-A", "sell", 1010, 1, "09:15")
    order(v, "INV-A", "sell", 1234, 1, "09:16")  # refused (tick): journaled, not replayed
    v.mark_batched("B1", [t for t in v.trades])
    v.mark_settled("B1", "0xabc")
    return v, facts


def test_replay_gives_the_same_books_trades_and_settlement_states(tmp_path):
    path = tmp_path / "journal.jsonl"
    v, facts = trading_day(Journal(path, durable=False))
    replayed = Venue.replay(config(), StaticFacts(), read_journal(path))
    assert replayed.snapshot() == v.snapshot()
    assert replayed.snapshot()["books"]["ST"]["asks"]  # something rests


def test_replay_then_continue_appends_to_the_same_journal(tmp_path):
    path = tmp_path / "journal.jsonl"
    v, facts = trading_day(Journal(path, durable=False))
    again = Venue.replay(config(), facts, read_journal(path), Journal(path, durable=False))
    order(again, "INV-C", "buy", 1010, 1, "10:00")
    order(v, "INV-C", "buy", 1010, 1, "10:00")
    assert Venue.replay(config(), StaticFacts(), read_journal(path)).snapshot() == v.snapshot()


def test_a_torn_last_line_is_dropped_and_cut_before_new_entries(tmp_path):
    path = tmp_path / "journal.jsonl"
    trading_day(Journal(path, durable=False))
    complete = read_journal(path)
    with open(path, "a") as f:
        f.write('{"op":"submit","time":"2027-')
    assert read_journal(path) == complete
    Journal(path, durable=False).append({"op": "refused", "of": "submit"})
    assert read_journal(path)[-1] == {"op": "refused", "of": "submit"}


def test_damage_inside_the_journal_is_an_error(tmp_path):
    path = tmp_path / "journal.jsonl"
    trading_day(Journal(path, durable=False))
    lines = path.read_text().splitlines()
    lines[3] = lines[3][:-5]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(JournalError, match="line 4"):
        read_journal(path)


def test_the_next_day_opens_at_the_previous_days_closes(tmp_path):
    from datetime import date as day_of

    from venue_support import PARTICIPANT

    from kabuto.venue.server import open_venue

    first = open_venue(config(), StaticFacts(open=True), DAY, tmp_path)
    assert first.references == {"ST": 1000}  # the issue price on the first day
    first.advance(at("09:00"))
    for investor, side in (("INV-A", "sell"), ("INV-C", "buy")):
        first.submit(PARTICIPANT[investor], investor, "ST", side, 1050, 1, at("10:00"))
    first.advance(at("15:30"))
    second = open_venue(config(), StaticFacts(open=True), day_of(2027, 2, 2), tmp_path)
    assert second.references == {"ST": 1050}
    again = open_venue(config(), StaticFacts(open=True), DAY, tmp_path)  # a restart of day one
    assert again.snapshot() == first.snapshot()
