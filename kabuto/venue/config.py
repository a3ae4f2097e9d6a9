"""The venue config file (YAML): sessions, settlement times, tick and band tables, products and
participants with the investors they act for. Validated whole before the venue starts; every
problem names its line.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kabuto.errors import InputError
from kabuto.inputs.investors import Wallet
from kabuto.inputs.tabular import issues_from_validation
from kabuto.inputs.yamlfile import line_of, load_yaml_with_lines
from kabuto.venue.calendar import Sessions
from kabuto.venue.rules import BandTable, RuleTableError, TickTable

Step = tuple[int | None, Annotated[int, Field(gt=0)]]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _clock(value: object) -> time:
    if isinstance(value, int):  # YAML 1.1 reads 09:00 as sexagesimal 540
        return time(value // 60, value % 60)
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"write a time of day as HH:MM in JST, e.g. '09:00' (got {value!r})")


class SessionsConfig(_Strict):
    order_entry: time
    open_auction: time
    pre_close: time
    close_auction: time

    _times = field_validator(
        "order_entry", "open_auction", "pre_close", "close_auction", mode="before"
    )(classmethod(lambda cls, v: _clock(v)))

    @model_validator(mode="after")
    def _ordered(self) -> SessionsConfig:
        self.sessions()
        return self

    def sessions(self) -> Sessions:
        return Sessions(self.order_entry, self.open_auction, self.pre_close, self.close_auction)


class SettlementConfig(_Strict):
    """When batches are settled: after each auction and every ``every_minutes`` of the
    continuous session (0: only after the auctions)."""

    after_auctions: bool = True
    every_minutes: int = Field(default=60, ge=0, le=24 * 60)


class InvestorConfig(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=32)]
    wallet: Wallet


class ParticipantConfig(_Strict):
    """A securities firm (取引参加者) and the investors it acts for. ``api_key_sha256``: the
    SHA-256 (hex) of the key its systems present to the HTTP interface."""

    id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
    name: str = ""
    api_key_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    investors: tuple[InvestorConfig, ...] = Field(min_length=1)


class ProductConfig(_Strict):
    symbol: Annotated[str, Field(min_length=1, max_length=11)]
    tick_table: str
    band_table: str
    issue_price: int = Field(gt=0, description="the reference price of the first trading day")
    min_order: int = Field(default=1, gt=0)
    max_order: int = Field(default=1_000_000, gt=0)

    @model_validator(mode="after")
    def _sizes(self) -> ProductConfig:
        if self.max_order < self.min_order:
            raise ValueError(f"max_order {self.max_order} is below min_order {self.min_order}")
        return self


class VenueConfig(_Strict):
    venue: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
    sessions: SessionsConfig
    settlement: SettlementConfig = SettlementConfig()
    tick_tables: dict[str, tuple[Step, ...]]
    band_tables: dict[str, tuple[Step, ...]]
    products: tuple[ProductConfig, ...] = Field(min_length=1)
    participants: tuple[ParticipantConfig, ...] = Field(min_length=1)
    operator_api_key_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> VenueConfig:
        problems = []
        for name, rows in self.tick_tables.items():
            try:
                TickTable(name, rows)
            except RuleTableError as exc:
                problems.append(str(exc))
        for name, rows in self.band_tables.items():
            try:
                BandTable(name, rows)
            except RuleTableError as exc:
                problems.append(str(exc))
        symbols = [p.symbol for p in self.products]
        if len(set(symbols)) != len(symbols):
            problems.append("a product symbol is listed twice")
        for p in self.products:
            if p.tick_table not in self.tick_tables:
                problems.append(f"{p.symbol}: no tick table named {p.tick_table!r}")
            if p.band_table not in self.band_tables:
                problems.append(f"{p.symbol}: no band table named {p.band_table!r}")
        ids = [p.id for p in self.participants]
        if len(set(ids)) != len(ids):
            problems.append("a participant id is listed twice")
        seen: dict[str, str] = {}
        for p in self.participants:
            for inv in p.investors:
                for key in (inv.id, inv.wallet):
                    if key in seen:
                        problems.append(
                            f"investor {key} is listed for {seen[key]} and {p.id}: an investor "
                            "trades through one participant at this venue"
                        )
                    seen[key] = p.id
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def tick_table(self, name: str) -> TickTable:
        return TickTable(name, self.tick_tables[name])

    def band_table(self, name: str) -> BandTable:
        return BandTable(name, self.band_tables[name])

    @cached_property
    def product_by_symbol(self) -> dict[str, ProductConfig]:
        return {p.symbol: p for p in self.products}

    @cached_property
    def participant_by_id(self) -> dict[str, ParticipantConfig]:
        return {p.id: p for p in self.participants}

    def participant_for_key(self, api_key: str) -> ParticipantConfig | None:
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        for p in self.participants:
            if p.api_key_sha256 is not None and hmac.compare_digest(p.api_key_sha256, digest):
                return p
        return None

    def is_operator_key(self, api_key: str) -> bool:
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        expected = self.operator_api_key_sha256
        return expected is not None and hmac.compare_digest(expected, digest)


def load_venue_config(path: Path) -> VenueConfig:
    """The validated venue config.

    Raises:
        InputError: every problem, naming the YAML line.
    """
    data, lines = load_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise InputError.single(path, "a venue config is a YAML mapping (key: value lines)")

    def locate(loc: tuple[Any, ...]) -> int | None:
        return line_of(lines, loc)

    try:
        return VenueConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(path, None, exc, locate)) from None
