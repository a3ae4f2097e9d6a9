"""Who sees which event on the WebSocket stream, and a slow subscriber never stops the venue."""

import asyncio

from venue_support import at, order, venue

from kabuto.venue.server import VenueService


def test_each_participant_sees_its_own_acks_and_executions_and_all_market_data():
    service = VenueService(venue(), at("10:00"))
    queues = {p: asyncio.Queue() for p in ("P1", "P2")}
    for participant, queue in queues.items():
        service.queues[queue] = participant
    order(service.venue, "INV-A", "sell", 1000, 2)  # P1's
    order(service.venue, "INV-C", "buy", 1000, 2)  # P2's, trades with P1's
    seen = {p: [q.get_nowait() for _ in range(q.qsize())] for p, q in queues.items()}
    acks = {
        p: {e["participant"] for e in events if e["type"] == "ack"} for p, events in seen.items()
    }
    assert acks == {"P1": {"P1"}, "P2": {"P2"}}
    for events in seen.values():
        assert [e["type"] for e in events].count("execution") == 1  # both parties see the trade
        assert any(e["type"] == "market" for e in events)


def test_a_subscriber_that_falls_behind_is_dropped_and_the_venue_goes_on():
    service = VenueService(venue(), at("10:00"))
    slow = asyncio.Queue(maxsize=3)
    service.queues[slow] = "P1"
    for price in (990, 995, 1000):
        assert order(service.venue, "INV-A", "sell", price, 1).status == "accepted"
    assert slow not in service.queues
    events = [slow.get_nowait() for _ in range(slow.qsize())]
    assert events[-1]["type"] == "dropped"
    assert len(service.venue.books["ST"].live) == 3
