"""The index database: SQLAlchemy 2 models, engine and sessions.

The chain is the source of truth; every table here except ``jobs``/``job_steps`` is an index
that the indexer (kabuto.service.indexer) can rebuild from the chain. The schema is created
and upgraded by Alembic (kabuto/service/migrations): :func:`open_database` runs the
migrations up to head before anything else touches the database.

Amounts and units are integers (BigInteger: up to 9.2e18). Personal data is kept only as the
chain publishes it: the encrypted envelope (``personal_data.ciphertext``); the API decrypts it
in memory for the issuer's and auditor's tokens and never writes the clear text anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

ADDRESS = 42  # 0x + 40 hex digits (EIP-55)
HASH = 66  # 0x + 64 hex digits


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {int: BigInteger, dict[str, Any]: JSON, list[Any]: JSON}


# -- the indexer's position ---------------------------------------------------------------


class IndexCursor(Base):
    """The one chain the index follows and the last block whose rows are all committed
    (written in the same transaction as that block's rows)."""

    __tablename__ = "index_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    chain_id: Mapped[int]
    genesis_hash: Mapped[str] = mapped_column(String(80))  # "<block n>:<its hash>" (follow.py)
    block_number: Mapped[int]  # -1 before the first block
    block_hash: Mapped[str] = mapped_column(String(HASH))
    manifest: Mapped[dict[str, Any]]  # the manifest the index was built from
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ContractRow(Base):
    """Every contract the indexer follows (the manifest's platform contracts and tokens)."""

    __tablename__ = "contracts"

    address: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # manifest name, or the token's symbol
    role: Mapped[str] = mapped_column(String(32))  # registry, token, yen, dvp, batch, ...
    category: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str | None] = mapped_column(String(16))


class EventRow(Base):
    """The audit trail: every event of every followed contract, decoded (args as JSON)."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_block_log", "block_number", "log_index", unique=True),
        Index("ix_events_contract_event", "contract", "event"),
        Index("ix_events_tx", "tx_hash"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    block_number: Mapped[int]
    log_index: Mapped[int]
    tx_hash: Mapped[str] = mapped_column(String(HASH))
    timestamp: Mapped[int]
    address: Mapped[str] = mapped_column(String(ADDRESS))
    contract: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]]


# -- investors ------------------------------------------------------------------------------


class Investor(Base):
    __tablename__ = "investors"

    investor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    investor_class: Mapped[int]
    country: Mapped[int]
    kyc_expiry: Mapped[int]
    status: Mapped[int]  # kabuto.onchain_types.InvestorStatus
    tax_status: Mapped[int] = mapped_column(default=0)  # kabuto.onchain_types.TaxStatus
    wallet: Mapped[str] = mapped_column(String(ADDRESS), index=True)  # the active wallet
    registered_block: Mapped[int]
    updated_block: Mapped[int]


class Wallet(Base):
    """Every wallet an investor has had (current and past)."""

    __tablename__ = "wallets"

    address: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    investor_id: Mapped[str] = mapped_column(String(32), index=True)
    active: Mapped[bool] = mapped_column(Boolean)
    since_block: Mapped[int]
    replaced_block: Mapped[int | None]
    replaced_by: Mapped[str | None] = mapped_column(String(ADDRESS))


class PersonalDataRow(Base):
    """The latest encrypted personal-data envelope per investor and issuer (never clear)."""

    __tablename__ = "personal_data"

    investor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    data_hash: Mapped[str] = mapped_column(String(HASH))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    block_number: Mapped[int]


# -- tokens, holdings, transfers ------------------------------------------------------------


class TokenRow(Base):
    __tablename__ = "tokens"

    address: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    total_supply: Mapped[int] = mapped_column(default=0)
    issued_total: Mapped[int] = mapped_column(default=0)
    holders: Mapped[int] = mapped_column(default=0)  # wallets with a non-zero balance
    name: Mapped[str] = mapped_column(String(128), default="")  # name(), read when indexed
    terms: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # bondTerms/beneficiaryTerms


class Holding(Base):
    __tablename__ = "holdings"
    __table_args__ = (Index("ix_holdings_wallet", "wallet"),)

    token: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    wallet: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    units: Mapped[int]
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_block: Mapped[int]
    # the holder's acquisition lots of a security, oldest first: [[block timestamp, units],
    # ...] as kabuto.lots builds them, kept by the indexer as transfers arrive (the register
    # at the head reads them instead of replaying every transfer); None for the yen coin, and
    # for rows indexed before this column existed (the register then replays the transfers)
    lots: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)


class TransferRow(Base):
    """Every Transfer of every token (issuance: from the zero address; redemption: to it):
    the lots and the register at any block are built from these."""

    __tablename__ = "transfers"
    __table_args__ = (
        Index("ix_transfers_token_block", "token", "block_number", "log_index"),
        Index("ix_transfers_sender", "sender"),
        Index("ix_transfers_recipient", "recipient"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    token: Mapped[str] = mapped_column(String(ADDRESS))
    block_number: Mapped[int]
    log_index: Mapped[int]
    timestamp: Mapped[int]
    sender: Mapped[str] = mapped_column(String(ADDRESS))
    recipient: Mapped[str] = mapped_column(String(ADDRESS))
    value: Mapped[int]


class RecordDateRow(Base):
    __tablename__ = "record_dates"

    token: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)
    record_date: Mapped[int]  # the cutoff timestamp (end of the JST day)


# -- applications, settlement, offerings, payments ------------------------------------------


class Application(Base):
    """Transfers waiting for the issuer's approval (TransferApplied and what followed)."""

    __tablename__ = "applications"

    token: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    application_id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(ADDRESS))
    recipient: Mapped[str] = mapped_column(String(ADDRESS))
    value: Mapped[int]
    expiry: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # pending approved rejected cancelled expired
    applied_block: Mapped[int]
    updated_block: Mapped[int]


class DvpInstruction(Base):
    __tablename__ = "dvp_instructions"

    instruction_id: Mapped[str] = mapped_column(String(HASH), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # instructed approved settled closed..
    details: Mapped[dict[str, Any]]
    created_block: Mapped[int]
    updated_block: Mapped[int]


class VenueBatch(Base):
    __tablename__ = "venue_batches"

    batch_id: Mapped[str] = mapped_column(String(HASH), primary_key=True)
    block_number: Mapped[int]
    tx_hash: Mapped[str] = mapped_column(String(HASH))
    details: Mapped[dict[str, Any]]


class Offering(Base):
    __tablename__ = "offerings"

    offering_id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(ADDRESS))
    issuer: Mapped[str] = mapped_column(String(ADDRESS))
    status: Mapped[str] = mapped_column(String(16))  # open closed finalized cancelled
    terms: Mapped[dict[str, Any]]
    opened_block: Mapped[int]
    updated_block: Mapped[int]


class Allotment(Base):
    """One investor's application to an offering and what was allotted and settled."""

    __tablename__ = "allotments"

    offering_id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wallet: Mapped[str] = mapped_column(String(ADDRESS))
    applied_units: Mapped[int] = mapped_column(default=0)
    allotted_units: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16))  # applied cancelled allotted settled failed
    updated_block: Mapped[int]


class Payment(Base):
    """A declared interest, redemption or distribution payment (CorporateActions)."""

    __tablename__ = "payments"

    payment_id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(ADDRESS))
    details: Mapped[dict[str, Any]]
    funded: Mapped[int] = mapped_column(default=0)
    reclaimed: Mapped[int] = mapped_column(default=0)
    declared_block: Mapped[int]
    updated_block: Mapped[int]


class HolderPayment(Base):
    """What one holder got of a payment: paid, held (and later released) or unpaid."""

    __tablename__ = "holder_payments"
    __table_args__ = (Index("ix_holder_payments_holder", "holder"),)

    payment_id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(String(ADDRESS), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(ADDRESS))
    gross: Mapped[int]
    national_tax: Mapped[int]
    local_tax: Mapped[int]
    net: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # paid held released
    block_number: Mapped[int]
    claimed_block: Mapped[int | None]


# -- operator jobs (not an index: the service's own state) ----------------------------------


class Job(Base):
    """An operator job submitted through the API; its status and progress survive restarts."""

    __tablename__ = "jobs"

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    content_id: Mapped[str] = mapped_column(String(HASH), index=True)  # kind + inputs digest
    status: Mapped[str] = mapped_column(String(16))  # queued running succeeded failed
    submitted_by: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]]
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class JobStep(Base):
    """One step of a job (a transaction or a batch); a step marked done is never repeated."""

    __tablename__ = "job_steps"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.job_id"), primary_key=True)
    step: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # done
    tx_hash: Mapped[str | None] = mapped_column(String(HASH))
    detail: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# -- engine and sessions --------------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the indexer's writes
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never torn
    cursor.execute("PRAGMA busy_timeout=30000")
    # 64 MB of page cache (default 2 MB): 100,000 events go into indexes keyed by random
    # hashes and addresses, whose pages would otherwise be written and read back over and over
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url` (SQLite: the file's folder is created, WAL mode)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=40)  # >= API threads


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self.sessions()


def open_database(url: str, migrate: bool = True) -> Database:
    """The database at `url`, upgraded to the current schema (Alembic) unless `migrate` is
    off."""
    engine = make_engine(url)
    if migrate:
        from kabuto.service.migrate import upgrade

        upgrade(engine)
    return Database(url, engine, sessionmaker(engine, expire_on_commit=False))


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: a session of the app's database, closed after the request."""
    database: Database = request.app.state.database
    with database.session() as session:
        yield session
