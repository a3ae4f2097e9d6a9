"""The replay tool: an order file (CSV) through the engine, the executions written as the file
`ape run settle_batch` reads.

Columns: time (HH:MM or HH:MM:SS, JST, on the replayed day), action (new, amend, cancel), ref
(the file's own name for an order: an amend or cancel names the ref of an earlier new row),
participant, investor, symbol, side, price, quantity. An amend gives the new price and/or
quantity (an empty cell keeps it). Rows must be in time order. The day's phases follow the
venue config's timetable, with the opening and closing auctions between them.

Without a facts file every order is taken as covered (locks and yen) and eligible, so the
replay shows what the rules alone make of the flow; with one (see kabuto.venue.server's
load_facts) the pre-trade checks use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kabuto.domain import JST
from kabuto.errors import InputError, InputIssue
from kabuto.inputs.tabular import duplicate_issues, read_rows, validate_rows
from kabuto.venue.config import VenueConfig
from kabuto.venue.engine import Venue
from kabuto.venue.facts import Facts, StaticFacts
from kabuto.venue.files import write_executions
from kabuto.venue.model import Ack

COLUMNS = (
    "time",
    "action",
    "ref",
    "participant",
    "investor",
    "symbol",
    "side",
    "price",
    "quantity",
)


class OrderRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    time: time
    action: Literal["new", "amend", "cancel"]
    ref: str = Field(min_length=1, max_length=64)
    participant: str | None = None
    investor: str | None = None
    symbol: str | None = None
    side: Literal["buy", "sell"] | None = None
    price: int | None = Field(default=None, gt=0)
    quantity: int | None = Field(default=None, gt=0)

    @field_validator("time", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        if isinstance(value, str) and len(value) == 5:
            return value + ":00"
        return value

    @model_validator(mode="after")
    def _complete(self) -> OrderRow:
        if self.action == "new":
            missing = [
                f
                for f in ("participant", "investor", "symbol", "side", "price", "quantity")
                if getattr(self, f) is None
            ]
            if missing:
                raise ValueError(f"a new order needs {', '.join(missing)}")
        if self.action == "amend" and self.price is None and self.quantity is None:
            raise ValueError("an amend gives a new price, a new quantity or both")
        return self


@dataclass
class ReplayResult:
    venue: Venue
    refused: list[tuple[int, Ack]] = field(default_factory=list)
    executions_path: Path | None = None


def load_orders(path: Path) -> list[tuple[int, OrderRow]]:
    """Every row of the order file, validated.

    Raises:
        InputError: every problem, naming row and column.
    """
    raw = read_rows(path, COLUMNS)
    rows, issues = validate_rows(path, raw, OrderRow)
    issues += duplicate_issues(path, [(n, r) for n, r in raw if r.get("action") == "new"], "ref")
    known: set[str] = set()
    last = time(0)
    for number, row in rows:
        if row.time < last:
            issues.append(InputIssue(str(path), number, "time", "rows must be in time order"))
        last = max(last, row.time)
        if row.action == "new":
            known.add(row.ref)
        elif row.ref not in known:
            issues.append(InputIssue(str(path), number, "ref", f"no earlier new order {row.ref!r}"))
    if issues:
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    return rows


def replay(
    config: VenueConfig,
    orders_csv: Path,
    day: date,
    executions_csv: Path,
    facts: Facts | None = None,
) -> ReplayResult:
    """Feeds the order file through a new engine for ``day`` and writes its executions."""
    rows = load_orders(orders_csv)
    venue = Venue(config, facts or StaticFacts(open=True), day)
    result = ReplayResult(venue)
    order_ids: dict[str, tuple[str, int]] = {}
    for number, row in rows:
        now = datetime.combine(day, row.time, JST)
        venue.advance(now)
        if row.action == "new":
            ack = venue.submit(
                row.participant or "",
                row.investor or "",
                row.symbol or "",
                row.side or "",
                row.price or 0,
                row.quantity or 0,
                now,
                row.ref,
            )
            if ack.order_id is not None:
                order_ids[row.ref] = (row.participant or "", ack.order_id)
        elif row.ref not in order_ids:  # its new row was refused
            continue
        elif row.action == "amend":
            participant, order_id = order_ids[row.ref]
            ack = venue.amend(participant, order_id, now, row.price, row.quantity)
        else:
            participant, order_id = order_ids[row.ref]
            ack = venue.cancel(participant, order_id, now)
        if ack.status == "refused":
            result.refused.append((number, ack))
    venue.advance(datetime.combine(day, config.sessions.close_auction, JST))
    executions = [t.execution for t in venue.trades.values()]
    result.executions_path = write_executions(executions_csv, executions)
    return result
