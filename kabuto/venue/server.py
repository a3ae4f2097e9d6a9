"""The venue's HTTP/WebSocket interface (FastAPI + uvicorn), for participants' systems.

Orders in, acknowledgements, executions and market data out. Each participant authenticates
with its API key (``Authorization: Bearer <key>``; the config holds its SHA-256) and sees its
own orders, executions and fails only; market data (best bid/offer, depth, last price, volume)
is for every participant. The venue operator's key moves the clock (``POST /admin/advance``,
for a venue run on a manual clock) and settles (``POST /admin/settle``, when the venue runs
against a chain).

Endpoints:
    POST   /orders                 new order -> 201 ack, or 422 with the refusal's reason
    PATCH  /orders/{id}            amend (price and/or quantity)
    DELETE /orders/{id}            cancel
    GET    /orders/{id}            one of the participant's orders
    GET    /executions             the participant's executions and their settlement status
    GET    /market/{symbol}        market data
    GET    /status                 the venue's day, phase and products
    WS     /ws                     the participant's acks, executions and fails; all market data
    POST   /admin/advance          {"time": ISO 8601}: the clock moves (auctions, expiry)
    POST   /admin/settle           a settlement round on the chain

Run ``python -m kabuto.venue.server --help`` (in-memory facts from a file), or
``ape run venue_server`` against a chain. Binds to loopback addresses only.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import click
from fastapi import (
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Request,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kabuto.domain import JST
from kabuto.venue.calendar import Phase
from kabuto.venue.config import ParticipantConfig, VenueConfig, load_venue_config
from kabuto.venue.engine import Venue
from kabuto.venue.facts import Facts, StaticFacts
from kabuto.venue.journal import Journal, read_journal


class NewOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    investor: str
    symbol: str
    side: str
    price: int
    quantity: int
    client_order_id: str = Field(default="", max_length=64)


class Amend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price: int | None = None
    quantity: int | None = None


class Advance(BaseModel):
    time: datetime


@dataclass
class VenueService:
    """The venue behind the interface: one engine, its clock, the subscribers' queues.

    ``settle``: the settlement round to run on ``POST /admin/settle`` (None: no chain)."""

    venue: Venue
    clock: datetime
    settle: Callable[[], dict[str, Any]] | None = None
    wall_clock: bool = False  # follow the real time (JST) instead of /admin/advance
    queues: dict[asyncio.Queue[dict[str, Any]], str] = field(default_factory=dict)

    def tick(self, moment: datetime) -> list[Any]:
        """Moves the venue's clock forward (never back) and the day's phases with it."""
        if moment > self.clock:
            self.clock = moment
        return self.venue.advance(self.clock)

    def __post_init__(self) -> None:
        self.venue.listeners.append(self._publish)

    def _publish(self, event: dict[str, Any]) -> None:
        """Queues the event for every subscriber allowed to see it. A subscriber that has
        fallen 10,000 events behind is dropped (its stream ends with a notice), never the
        venue slowed or stopped by it."""
        for queue, participant in list(self.queues.items()):
            if not _visible(event, participant):
                continue
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self.queues.pop(queue, None)
                queue.get_nowait()  # room for the notice that ends the stream
                queue.put_nowait({"type": "dropped", "reason": "too slow: 10,000 events behind"})


def _visible(event: dict[str, Any], participant: str) -> bool:
    kind = event["type"]
    if kind == "ack":
        return event.get("participant") == participant
    if kind in ("execution", "fail"):
        return participant in (event.get("buyer_participant"), event.get("seller_participant"))
    return True  # market data, phase, settled batches


def _key(authorization: str | None) -> str:
    return (authorization or "").removeprefix("Bearer ").strip()


def participant_of(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> ParticipantConfig:
    """The participant whose API key the request carries (401 otherwise)."""
    config: VenueConfig = request.app.state.service.venue.config
    key = _key(authorization)
    found = config.participant_for_key(key) if key else None
    if found is None:
        raise HTTPException(401, "unknown API key: send Authorization: Bearer <key>")
    return found


def operator(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Only the venue operator's key passes (403 otherwise)."""
    if not request.app.state.service.venue.config.is_operator_key(_key(authorization)):
        raise HTTPException(403, "this needs the venue operator's key")


Participant = Annotated[ParticipantConfig, Depends(participant_of)]


def create_app(service: VenueService) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async def follow_the_clock() -> None:
            while True:
                service.tick(datetime.now(JST))
                await asyncio.sleep(1)

        task = asyncio.ensure_future(follow_the_clock()) if service.wall_clock else None
        yield
        if task is not None:
            task.cancel()

    app = FastAPI(title="Kabuto venue (reference PTS)", version="1", lifespan=lifespan)
    app.state.service = service
    venue, config = service.venue, service.venue.config

    def answer(ack: Any, ok: int = 200) -> JSONResponse:
        return JSONResponse(ack.view(), status_code=ok if ack.status != "refused" else 422)

    @app.get("/status")
    async def status() -> dict[str, Any]:
        return {
            "venue": config.venue,
            "day": venue.day.isoformat(),
            "phase": venue.phase.value,
            "clock": service.clock.isoformat(),
            "products": {s: venue.market_data(s, 0)["band"] for s in venue.books},
        }

    @app.post("/orders")
    async def new_order(body: NewOrder, who: Participant) -> JSONResponse:
        ack = venue.submit(
            who.id,
            body.investor,
            body.symbol,
            body.side,
            body.price,
            body.quantity,
            service.clock,
            body.client_order_id,
        )
        return answer(ack, 201)

    @app.patch("/orders/{order_id}")
    async def amend(order_id: int, body: Amend, who: Participant) -> JSONResponse:
        return answer(venue.amend(who.id, order_id, service.clock, body.price, body.quantity))

    @app.delete("/orders/{order_id}")
    async def cancel(order_id: int, who: Participant) -> JSONResponse:
        return answer(venue.cancel(who.id, order_id, service.clock))

    @app.get("/orders/{order_id}")
    async def get_order(order_id: int, who: Participant) -> dict[str, Any]:
        order = venue.orders.get(order_id)
        if order is None or order.participant != who.id:
            raise HTTPException(404, f"no order {order_id} of {who.id}")
        return order.view() | {"live": order.qty > 0}

    @app.get("/executions")
    async def executions(who: Participant) -> list[dict[str, Any]]:
        return [
            t.execution.view() | {"status": t.status, "code": t.code, "reason": t.reason}
            for t in venue.trades.values()
            if who.id in (t.execution.buyer_participant, t.execution.seller_participant)
        ]

    @app.get("/market/{symbol}")
    async def market(symbol: str, who: Participant, depth: int = 5) -> dict[str, Any]:
        if symbol not in venue.books:
            raise HTTPException(404, f"{symbol!r} is not traded here")
        return venue.market_data(symbol, max(1, min(depth, 50)))

    @app.post("/admin/advance", dependencies=[Depends(operator)])
    async def advance(body: Advance) -> dict[str, Any]:
        moment = body.time if body.time.tzinfo else body.time.replace(tzinfo=JST)
        if service.wall_clock or moment < service.clock:
            raise HTTPException(
                409,
                f"the clock is at {service.clock.isoformat()}: it never goes back, and a venue "
                "on the wall clock follows the real time",
            )
        executions = service.tick(moment)
        return {"phase": venue.phase.value, "auction_executions": [e.view() for e in executions]}

    @app.post("/admin/settle", dependencies=[Depends(operator)])
    async def settle() -> dict[str, Any]:
        if service.settle is None:
            raise HTTPException(409, "this venue runs without a chain: nothing to settle on")
        return service.settle()

    @app.websocket("/ws")
    async def stream(socket: WebSocket) -> None:
        key = _key(socket.headers.get("authorization"))
        who = config.participant_for_key(key) if key else None
        if who is None:
            await socket.close(code=4401, reason="unknown API key")
            return
        await socket.accept()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=10_000)
        service.queues[queue] = who.id

        async def send() -> None:
            for symbol in venue.books:
                await socket.send_json(venue.market_data(symbol))
            while True:
                event = await queue.get()
                await socket.send_json(event)
                if event["type"] == "dropped":
                    await socket.close(code=1013, reason=event["reason"])
                    return

        async def until_closed() -> None:
            with contextlib.suppress(WebSocketDisconnect):
                while True:
                    await socket.receive_text()  # participants send nothing; this sees the close

        tasks = [asyncio.ensure_future(send()), asyncio.ensure_future(until_closed())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            service.queues.pop(queue, None)

    return app


def load_facts(path: Path | None) -> Facts:
    """In-memory facts from a JSON file: {"locks": {symbol: {wallet: units}}, "yen": {wallet:
    yen}, "ineligible": {wallet: why}}; none: every order covered (a test venue)."""
    if path is None:
        return StaticFacts(open=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    return StaticFacts(
        locks={(s, w): int(u) for s, by in data.get("locks", {}).items() for w, u in by.items()},
        yen_by_wallet={w: int(v) for w, v in data.get("yen", {}).items()},
        ineligible=dict(data.get("ineligible", {})),
    )


def open_venue(config: VenueConfig, facts: Facts, day: date, state_dir: Path) -> Venue:
    """The day's venue: rebuilt from its journal if it ran before (a restart), else new, with
    the previous trading day's closes as its reference prices (issue prices the first day).
    At the close it records its own closes for the next day."""
    path = state_dir / f"{config.venue}-{day}-journal.jsonl"
    entries = read_journal(path)
    if entries:
        venue = Venue.replay(config, facts, entries, Journal(path))
    else:
        venue = Venue(config, facts, day, previous_closes(config, state_dir, day), Journal(path))
    closes = state_dir / f"{config.venue}-closes.json"

    def record_closes(event: dict[str, Any]) -> None:
        if event["type"] == "phase" and event["phase"] == Phase.CLOSED.value:
            closes.write_text(json.dumps({"day": day.isoformat(), "closes": venue.closes()}))

    venue.listeners.append(record_closes)
    return venue


def previous_closes(config: VenueConfig, state_dir: Path, day: date) -> dict[str, int]:
    """The closes the venue recorded on an earlier day (none before its first day)."""
    path = state_dir / f"{config.venue}-closes.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if date.fromisoformat(data["day"]) >= day:
        return {}
    return {symbol: int(price) for symbol, price in data["closes"].items()}


def resume_clock(venue: Venue) -> datetime:
    """Where the venue's clock starts: the day's order entry, or the last journaled time after
    a restart; the day's phases are brought up to it."""
    clock = datetime.combine(venue.day, venue.config.sessions.order_entry, JST)
    if venue.journal is not None:
        times = [e["time"] for e in read_journal(venue.journal.path) if "time" in e]
        if times:
            clock = max(clock, datetime.fromisoformat(times[-1]))
    venue.advance(clock)
    return clock


def serve(app: FastAPI, host: str, port: int) -> None:
    import uvicorn

    check_loopback(host)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)


def check_loopback(host: str) -> None:
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise click.BadParameter(f"{host} is not a loopback address: the venue serves locally only")


@click.command(help=__doc__)
@click.option(
    "--config", "config_path", type=click.Path(exists=True, path_type=Path), required=True
)
@click.option("--facts", "facts_path", type=click.Path(exists=True, path_type=Path), default=None)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="the trading day")
@click.option("--state", "state_dir", type=click.Path(path_type=Path), default=Path("venue-state"))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8700, show_default=True)
def main(
    config_path: Path, facts_path: Path | None, day: datetime, state_dir: Path, host: str, port: int
) -> None:
    check_loopback(host)
    config = load_venue_config(config_path)
    venue = open_venue(config, load_facts(facts_path), day.date(), state_dir)
    app = create_app(VenueService(venue, resume_clock(venue)))
    serve(app, host, port)


if __name__ == "__main__":
    main()
