"""The tables events update, kept in memory while the indexer runs (loaded once from the
database) and written back as upserts in the same transaction as the events and the cursor.

Each handler takes one decoded event and changes rows; :meth:`State.flush` writes what
changed. On any error the indexer drops the State and reloads it from the database, so a
failed transaction leaves nothing behind in memory either.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import JSON, Connection, Table, select

from kabuto.lots import ZERO_ADDRESS
from kabuto.service import db

DVP_STATUS = ("none", "open", "approved", "settled", "cancelled", "refused", "rejected", "expired")
PAYMENT_KIND = ("interest", "distribution", "redemption")
CHUNK_ROWS = 5_000
SECURITIES = ("bond", "beneficiary")  # token kinds with a register (and lots)


def write_rows(
    connection: Connection,
    table: Table,
    columns: list[str],
    rows: list[tuple[Any, ...]],
    update: bool = False,
) -> None:
    """INSERT (with `update`: INSERT .. ON CONFLICT (primary key) DO UPDATE, which SQLite and
    PostgreSQL both speak) through the driver's executemany, JSON columns encoded here:
    SQLAlchemy's per-row parameter processing would be most of the indexer's time at
    100,000 events."""
    if not rows:
        return
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(quote(c) for c in columns)
    insert = f"INSERT INTO {quote(table.name)} ({names}) "
    conflict = ""
    if update:
        keys = [c.name for c in table.primary_key.columns]
        changes = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in keys)
        conflict = f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {changes}"
    as_json = [i for i, c in enumerate(columns) if isinstance(table.columns[c].type, JSON)]
    if connection.dialect.name == "postgresql" and (not update or len(rows) > 100):
        if not update:
            _copy(connection, quote(table.name), columns, rows, as_json)
            return
        # many upserts: COPY into a scratch table, then one INSERT .. SELECT .. ON CONFLICT
        # (psycopg's executemany of 10,000 upserts was half of the PostgreSQL indexer's time)
        scratch = quote(f"scratch_{table.name}")
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {scratch} "
            f"(LIKE {quote(table.name)} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        _copy(connection, scratch, columns, rows, as_json)
        connection.exec_driver_sql(insert + f"SELECT {names} FROM {scratch}" + conflict)
        connection.exec_driver_sql(f"TRUNCATE {scratch}")
        return
    sql = insert + f"VALUES ({', '.join([mark] * len(columns))})" + conflict
    if as_json:
        rows = _json_encoded(rows, as_json)
    for start in range(0, len(rows), CHUNK_ROWS):
        connection.exec_driver_sql(sql, rows[start : start + CHUNK_ROWS])


def _json_text(value: Any) -> str | None:
    """A JSON column's text (msgspec: what json.dumps(ensure_ascii=False) writes, compact,
    several times as fast); None stays SQL NULL."""
    return None if value is None else _ENCODE(value).decode("utf-8")


_ENCODE = msgspec.json.Encoder().encode


def _json_encoded(rows: list[tuple[Any, ...]], as_json: list[int]) -> list[tuple[Any, ...]]:
    encoded = []
    for row in rows:
        values = list(row)
        for i in as_json:
            values[i] = _json_text(values[i])
        encoded.append(tuple(values))
    return encoded


def _copy(
    connection: Connection,
    quoted_table: str,
    columns: list[str],
    rows: list[tuple[Any, ...]],
    as_json: list[int],
) -> None:
    """Appends on PostgreSQL with COPY (psycopg), in the connection's open transaction."""
    quote = connection.dialect.identifier_preparer.quote
    driver = connection.connection.driver_connection
    statement = f"COPY {quoted_table} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    if as_json:
        rows = _json_encoded(rows, as_json)
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


EVENT_COLUMNS = [
    "block_number",
    "log_index",
    "tx_hash",
    "timestamp",
    "address",
    "contract",
    "event",
    "args",
]
TRANSFER_COLUMNS = [
    "token",
    "block_number",
    "log_index",
    "timestamp",
    "sender",
    "recipient",
    "value",
]


@dataclass
class Cache:
    """All rows of one table by primary key, and which of them changed."""

    table: Table
    rows: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    dirty: set[tuple[Any, ...]] = field(default_factory=set)

    @property
    def keys(self) -> list[str]:
        return [c.name for c in self.table.primary_key.columns]

    def load(self, connection: Connection) -> None:
        names = self.keys
        for row in connection.execute(select(self.table)).mappings():
            data = dict(row)
            self.rows[tuple(data[k] for k in names)] = data

    def get(self, *key: Any) -> dict[str, Any] | None:
        return self.rows.get(key)

    def put(self, row: dict[str, Any]) -> dict[str, Any]:
        key = tuple(row[k] for k in self.keys)
        existing = self.rows.get(key)
        if existing is None:
            self.rows[key] = existing = row
        else:
            existing.update(row)
        self.dirty.add(key)
        return existing

    def flush(self, connection: Connection) -> None:
        if self.dirty:
            columns = [c.name for c in self.table.columns]
            rows = [tuple(self.rows[k].get(c) for c in columns) for k in self.dirty]
            write_rows(connection, self.table, columns, rows, update=True)
        self.dirty.clear()


@dataclass(frozen=True)
class Event:
    block_number: int
    log_index: int
    tx_hash: str
    timestamp: int
    address: str
    contract: str  # the followed contract's name (manifest name or token symbol)
    role: str  # its role: a manifest contract name, or "token"
    name: str
    args: dict[str, Any]


class State:
    """The projection tables in memory plus the rows to append."""

    def __init__(self) -> None:
        t = db.Base.metadata.tables
        self.caches = {
            name: Cache(t[name])
            for name in (
                "contracts",
                "investors",
                "wallets",
                "personal_data",
                "tokens",
                "holdings",
                "record_dates",
                "applications",
                "dvp_instructions",
                "offerings",
                "allotments",
                "payments",
                "holder_payments",
            )
        }
        for name, cache in self.caches.items():
            setattr(self, name, cache)
        self.events: list[tuple[Any, ...]] = []  # EVENT_COLUMNS
        self.transfers: list[tuple[Any, ...]] = []  # TRANSFER_COLUMNS
        self.batches: list[dict[str, Any]] = []

    contracts: Cache
    investors: Cache
    wallets: Cache
    personal_data: Cache
    tokens: Cache
    holdings: Cache
    record_dates: Cache
    applications: Cache
    dvp_instructions: Cache
    offerings: Cache
    allotments: Cache
    payments: Cache
    holder_payments: Cache

    def load(self, connection: Connection) -> State:
        for cache in self.caches.values():
            cache.load(connection)
        return self

    def flush(self, connection: Connection) -> None:
        write_rows(connection, db.EventRow.__table__, EVENT_COLUMNS, self.events)  # type: ignore[arg-type]
        write_rows(connection, db.TransferRow.__table__, TRANSFER_COLUMNS, self.transfers)  # type: ignore[arg-type]
        if self.batches:
            columns = list(self.batches[0])
            write_rows(
                connection,
                db.VenueBatch.__table__,  # type: ignore[arg-type]
                columns,
                [tuple(b[c] for c in columns) for b in self.batches],
            )
        self.events, self.transfers, self.batches = [], [], []
        for cache in self.caches.values():
            cache.flush(connection)

    # -- applying events ------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        handler = HANDLERS.get((event.role if event.role != "YenCoin" else "token", event.name))
        if handler is not None:
            handler(self, event)
        self.events.append(  # after the handler: it may shorten what the trail keeps
            (
                event.block_number,
                event.log_index,
                event.tx_hash,
                event.timestamp,
                event.address,
                event.contract,
                event.name,
                event.args,
            )
        )

    def transfer(
        self, token: str, block: int, log_index: int, stamp: int, a: str, b: str, v: int
    ) -> None:
        """A Transfer (fast path: the indexer calls this without building an Event)."""
        self.transfers.append((token, block, log_index, stamp, a, b, v))
        row = self.tokens.rows.get((token,))
        if row is None:
            return
        security = row["kind"] in SECURITIES and v != 0 and a != b
        taken: list[list[int]] | None = []
        if a == ZERO_ADDRESS:
            row["total_supply"] += v
        else:
            holding = self._move(row, token, a, -v, block)
            if security:
                taken = take_lots(holding, v)
        if b == ZERO_ADDRESS:
            row["total_supply"] -= v
        else:
            holding = self._move(row, token, b, v, block)
            if security:
                keep_dates = a != ZERO_ADDRESS and self._same_investor(a, b)
                give_lots(holding, v, stamp, taken if keep_dates else None, keep_dates)
        self.tokens.dirty.add((token,))

    def _same_investor(self, a: str, b: str) -> bool:
        """Whether one of the wallets replaced the other (a recovery keeps the lots' dates;
        kabuto.lots.build_lots's same_investor)."""
        old, new = self.wallets.rows.get((a,)), self.wallets.rows.get((b,))
        return bool(
            (old is not None and old.get("replaced_by") == b)
            or (new is not None and new.get("replaced_by") == a)
        )

    def _move(
        self, token_row: dict[str, Any], token: str, wallet: str, delta: int, block: int
    ) -> dict[str, Any]:
        key = (token, wallet)
        holding = self.holdings.rows.get(key)
        if holding is None:
            holding = self.holdings.rows[key] = {
                "token": token,
                "wallet": wallet,
                "units": 0,
                "frozen": False,
                "updated_block": block,
                "lots": [] if token_row["kind"] in SECURITIES else None,
            }
        before = holding["units"]
        if before == 0 and holding.get("lots") is None and token_row["kind"] in SECURITIES:
            holding["lots"] = []  # nothing held: the lots are known (empty)
        holding["units"] = before + delta
        holding["updated_block"] = block
        if before == 0 and holding["units"] != 0:
            token_row["holders"] += 1
        elif before != 0 and holding["units"] == 0:
            token_row["holders"] -= 1
        self.holdings.dirty.add(key)
        return holding


def take_lots(holding: dict[str, Any], value: int) -> list[list[int]] | None:
    """Consumes `value` units of the holding's oldest lots first (FIFO); returns the lots
    taken, or None when its lots are unknown (indexed before lots were kept, or the events
    move more than the lots hold: the register then replays the transfers and says so)."""
    lots: list[list[int]] | None = holding.get("lots")
    if lots is None:
        return None
    taken: list[list[int]] = []
    remaining, used = value, 0
    while remaining and used < len(lots):
        oldest = lots[used]
        if oldest[1] <= remaining:
            remaining -= oldest[1]
            taken.append(oldest)
            used += 1
        else:
            lots[used] = [oldest[0], oldest[1] - remaining]
            taken.append([oldest[0], remaining])
            remaining = 0
    if remaining:
        holding["lots"] = None
        return None
    holding["lots"] = lots[used:]
    return taken


def give_lots(
    holding: dict[str, Any],
    value: int,
    stamp: int,
    taken: list[list[int]] | None,
    keep_dates: bool,
) -> None:
    """Adds `value` units to the holding's lots: a new lot at `stamp` (merged with a lot of
    the same time), or, between two wallets of one investor, the lots taken with their
    dates (the same rules as kabuto.lots.build_lots)."""
    lots: list[list[int]] | None = holding.get("lots")
    if lots is None:
        return
    if keep_dates:
        if taken is None:
            holding["lots"] = None  # the dates moved are unknown
        elif taken:
            if not lots or lots[-1][0] <= taken[0][0]:
                lots.extend(taken)
            else:
                holding["lots"] = list(heapq.merge(lots, taken, key=lambda lot: lot[0]))
    elif lots and lots[-1][0] == stamp:
        lots[-1] = [stamp, lots[-1][1] + value]
    else:
        lots.append([stamp, value])


Handler = Callable[[State, Event], None]
HANDLERS: dict[tuple[str, str], Handler] = {}


def on(role: str, *names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[(role, name)] = handler
        return handler

    return register


# -- investor registry ------------------------------------------------------------------------


@on("InvestorRegistry", "InvestorRegistered")
def _registered(state: State, e: Event) -> None:
    a = e.args
    state.investors.put(
        {
            "investor_id": a["investorId"],
            "investor_class": a["investorClass"],
            "country": a["country"],
            "kyc_expiry": a["kycExpiry"],
            "status": 1,
            "tax_status": a["taxStatus"],
            "wallet": a["wallet"],
            "registered_block": e.block_number,
            "updated_block": e.block_number,
        }
    )
    state.wallets.put(
        {
            "address": a["wallet"],
            "investor_id": a["investorId"],
            "active": True,
            "since_block": e.block_number,
            "replaced_block": None,
            "replaced_by": None,
        }
    )


def _investor(state: State, e: Event) -> dict[str, Any] | None:
    row = state.investors.get(e.args["investorId"])
    if row is not None:
        row["updated_block"] = e.block_number
        state.investors.dirty.add((row["investor_id"],))
    return row


@on("InvestorRegistry", "InvestorUpdated")
def _updated(state: State, e: Event) -> None:
    if (row := _investor(state, e)) is not None:
        row.update(
            investor_class=e.args["investorClass"],
            country=e.args["country"],
            kyc_expiry=e.args["kycExpiry"],
        )


@on("InvestorRegistry", "InvestorStatusChanged")
def _status(state: State, e: Event) -> None:
    if (row := _investor(state, e)) is not None:
        row["status"] = e.args["status"]


@on("InvestorRegistry", "TaxStatusSet")
def _tax(state: State, e: Event) -> None:
    if (row := _investor(state, e)) is not None:
        row["tax_status"] = e.args["taxStatus"]


@on("InvestorRegistry", "WalletReplaced")
def _replaced(state: State, e: Event) -> None:
    a = e.args
    if (row := _investor(state, e)) is not None:
        row["wallet"] = a["newWallet"]
    old = state.wallets.get(a["oldWallet"])
    if old is not None:
        state.wallets.put(
            {
                **old,
                "active": False,
                "replaced_block": e.block_number,
                "replaced_by": a["newWallet"],
            }
        )
    state.wallets.put(
        {
            "address": a["newWallet"],
            "investor_id": a["investorId"],
            "active": True,
            "since_block": e.block_number,
            "replaced_block": None,
            "replaced_by": None,
        }
    )


@on("InvestorRegistry", "PersonalDataStored")
def _personal(state: State, e: Event) -> None:
    a = e.args
    state.personal_data.put(
        {
            "investor_id": a["investorId"],
            "issuer": a["issuer"],
            "data_hash": a["dataHash"],
            "ciphertext": bytes.fromhex(a["ciphertext"][2:]),
            "block_number": e.block_number,
        }
    )
    a["ciphertext"] = f"({(len(a['ciphertext']) - 2) // 2} bytes, encrypted)"  # not in the trail


# -- tokens -------------------------------------------------------------------------------


@on("token", "Issued")
def _issued(state: State, e: Event) -> None:
    row = state.tokens.get(e.address)
    if row is not None:
        row["issued_total"] += e.args["value"]
        state.tokens.dirty.add((e.address,))


@on("token", "AddressFrozen")
def _frozen(state: State, e: Event) -> None:
    key = (e.address, e.args["account"])
    holding = state.holdings.rows.get(key) or {
        "token": e.address,
        "wallet": e.args["account"],
        "units": 0,
        "updated_block": e.block_number,
    }
    holding["frozen"] = bool(e.args["frozen"])
    state.holdings.put(holding)


@on("token", "RecordDateScheduled")
def _record_date(state: State, e: Event) -> None:
    state.record_dates.put(
        {"token": e.address, "index": e.args["index"], "record_date": e.args["recordDate"]}
    )


_APPLICATION_STATUS = {
    "TransferApproved": "approved",
    "TransferRejected": "rejected",
    "TransferCancelled": "cancelled",
    "TransferExpired": "expired",
}


@on("token", "TransferApplied")
def _applied(state: State, e: Event) -> None:
    a = e.args
    state.applications.put(
        {
            "token": e.address,
            "application_id": a["id"],
            "sender": a["from"],
            "recipient": a["to"],
            "value": a["value"],
            "expiry": a["expiry"],
            "status": "pending",
            "applied_block": e.block_number,
            "updated_block": e.block_number,
        }
    )


@on("token", *_APPLICATION_STATUS)
def _application_outcome(state: State, e: Event) -> None:
    row = state.applications.get(e.address, e.args["id"])
    if row is not None:
        row.update(status=_APPLICATION_STATUS[e.name], updated_block=e.block_number)
        state.applications.dirty.add((e.address, e.args["id"]))


# -- settlement ---------------------------------------------------------------------------


@on("Settlement", "Instructed")
def _instructed(state: State, e: Event) -> None:
    state.dvp_instructions.put(
        {
            "instruction_id": e.args["id"],
            "status": "open",
            "details": dict(e.args),
            "created_block": e.block_number,
            "updated_block": e.block_number,
        }
    )


def _dvp(state: State, e: Event, status: str) -> None:
    row = state.dvp_instructions.get(e.args["id"])
    if row is not None:
        row.update(status=status, updated_block=e.block_number)
        state.dvp_instructions.dirty.add((e.args["id"],))


@on("Settlement", "Approved")
def _dvp_approved(state: State, e: Event) -> None:
    _dvp(state, e, "approved")


@on("Settlement", "Settled")
def _dvp_settled(state: State, e: Event) -> None:
    _dvp(state, e, "settled")


@on("Settlement", "Closed")
def _dvp_closed(state: State, e: Event) -> None:
    _dvp(state, e, DVP_STATUS[e.args["status"]])


@on("BatchSettlement", "BatchSettled")
def _batch(state: State, e: Event) -> None:
    state.batches.append(
        {
            "batch_id": e.args["batchId"],
            "block_number": e.block_number,
            "tx_hash": e.tx_hash,
            "details": dict(e.args),
        }
    )


# -- primary offering ---------------------------------------------------------------------


@on("PrimaryOffering", "OfferingOpened")
def _opened(state: State, e: Event) -> None:
    a = e.args
    state.offerings.put(
        {
            "offering_id": a["offeringId"],
            "token": a["token"],
            "issuer": a["issuer"],
            "status": "open",
            "terms": a["terms"],
            "opened_block": e.block_number,
            "updated_block": e.block_number,
        }
    )


_OFFERING_STATUS = {
    "OfferingClosed": "closed",
    "OfferingFinalized": "finalized",
    "OfferingCancelled": "cancelled",
}


@on("PrimaryOffering", *_OFFERING_STATUS)
def _offering_status(state: State, e: Event) -> None:
    row = state.offerings.get(e.args["offeringId"])
    if row is not None:
        row.update(status=_OFFERING_STATUS[e.name], updated_block=e.block_number)
        state.offerings.dirty.add((e.args["offeringId"],))


def _allotment(state: State, e: Event, **changes: Any) -> None:
    key = (e.args["offeringId"], e.args["investorId"])
    row = state.allotments.get(*key) or {
        "offering_id": key[0],
        "investor_id": key[1],
        "wallet": e.args.get("wallet", ZERO_ADDRESS),
        "applied_units": 0,
        "allotted_units": 0,
        "status": "applied",
    }
    row.update(changes, updated_block=e.block_number)
    state.allotments.put(row)


@on("PrimaryOffering", "Applied")
def _offering_applied(state: State, e: Event) -> None:
    _allotment(state, e, wallet=e.args["wallet"], applied_units=e.args["units"], status="applied")


@on("PrimaryOffering", "ApplicationCancelled")
def _offering_cancelled(state: State, e: Event) -> None:
    _allotment(state, e, applied_units=0, status="cancelled")


@on("PrimaryOffering", "Allotted")
def _allotted(state: State, e: Event) -> None:
    _allotment(state, e, allotted_units=e.args["units"], status="allotted")


@on("PrimaryOffering", "AllotmentSettled")
def _allotment_settled(state: State, e: Event) -> None:
    _allotment(state, e, status="settled")


@on("PrimaryOffering", "AllotmentSettlementFailed")
def _allotment_failed(state: State, e: Event) -> None:
    _allotment(state, e, status="failed")


# -- payments -----------------------------------------------------------------------------


@on("CorporateActions", "PaymentDeclared")
def _declared(state: State, e: Event) -> None:
    details = dict(e.args)
    details["kind"] = PAYMENT_KIND[details["kind"]]
    state.payments.put(
        {
            "payment_id": e.args["id"],
            "token": e.args["token"],
            "details": details,
            "funded": 0,
            "reclaimed": 0,
            "declared_block": e.block_number,
            "updated_block": e.block_number,
        }
    )


def _payment(state: State, e: Event) -> dict[str, Any] | None:
    row = state.payments.get(e.args["id"])
    if row is not None:
        row["updated_block"] = e.block_number
        state.payments.dirty.add((e.args["id"],))
    return row


@on("CorporateActions", "PaymentFunded")
def _funded(state: State, e: Event) -> None:
    if (row := _payment(state, e)) is not None:
        row["funded"] = e.args["funded"]


@on("CorporateActions", "UnpaidReclaimed")
def _reclaimed(state: State, e: Event) -> None:
    if (row := _payment(state, e)) is not None:
        row["reclaimed"] += e.args["amount"]


@on("CorporateActions", "HolderPaid", "HolderPaymentHeld")
def _holder_paid(state: State, e: Event) -> None:
    amounts = e.args["amounts"]
    state.holder_payments.put(
        {
            "payment_id": e.args["id"],
            "holder": e.args["holder"],
            "recipient": e.args["recipient"],
            "gross": amounts["gross"],
            "national_tax": amounts["nationalTax"],
            "local_tax": amounts["localTax"],
            "net": amounts["net"],
            "status": "paid" if e.name == "HolderPaid" else "held",
            "block_number": e.block_number,
            "claimed_block": None,
        }
    )


@on("CorporateActions", "HeldPaymentReleased")
def _released(state: State, e: Event) -> None:
    row = state.holder_payments.get(e.args["id"], e.args["holder"])
    if row is not None:
        row.update(status="released", recipient=e.args["recipient"], claimed_block=e.block_number)
        state.holder_payments.dirty.add((e.args["id"], e.args["holder"]))
