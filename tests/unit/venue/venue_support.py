"""A small venue for the unit tests: one product on a simple tick/band table, two
participants with three investors, a fixed trading day, in-memory facts."""

from __future__ import annotations

from datetime import date, datetime, time

from kabuto.domain import JST
from kabuto.venue.config import VenueConfig
from kabuto.venue.engine import Venue
from kabuto.venue.facts import StaticFacts

DAY = date(2027, 2, 1)  # a Monday, a trading day
WALLETS = {
    "INV-A": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "INV-B": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "INV-C": "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
}


def at(hhmm: str, second: int = 0) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(DAY, time(hour, minute, second), JST)


def config(**product: object) -> VenueConfig:
    return VenueConfig.model_validate(
        {
            "venue": "TEST",
            "sessions": {
                "order_entry": "08:00",
                "open_auction": "09:00",
                "pre_close": "15:25",
                "close_auction": "15:30",
            },
            "tick_tables": {"t": [[1000, 1], [10000, 5], [None, 10]]},
            "band_tables": {"b": [[1000, 100], [10000, 1000], [None, 2000]]},
            "products": [
                {
                    "symbol": "ST",
                    "tick_table": "t",
                    "band_table": "b",
                    "issue_price": 1000,
                    "min_order": 1,
                    "max_order": 1000,
                }
                | product
            ],
            "participants": [
                {
                    "id": "P1",
                    "investors": [
                        {"id": "INV-A", "wallet": WALLETS["INV-A"]},
                        {"id": "INV-B", "wallet": WALLETS["INV-B"]},
                    ],
                },
                {"id": "P2", "investors": [{"id": "INV-C", "wallet": WALLETS["INV-C"]}]},
            ],
        }
    )


PARTICIPANT = {"INV-A": "P1", "INV-B": "P1", "INV-C": "P2"}


def venue(facts: StaticFacts | None = None, phase: str = "continuous", **kw: object) -> Venue:
    """The day's venue moved to ``phase`` (pre_open, continuous, pre_close)."""
    v = Venue(config(), facts or StaticFacts(open=True), DAY, **kw)  # type: ignore[arg-type]
    v.advance(at({"pre_open": "08:00", "continuous": "09:00", "pre_close": "15:25"}[phase]))
    return v


def order(v: Venue, investor: str, side: str, price: int, qty: int, when: str = "10:00"):
    return v.submit(PARTICIPANT[investor], investor, "ST", side, price, qty, at(when))
