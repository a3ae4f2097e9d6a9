"""Click parameter types of the operator commands: every value is checked as it is parsed,
so a bad one is reported as an error of its option or argument (never a traceback), before
the chain is touched. One kind per argument across commands: a holder is an investor id or
a wallet, dates are YYYY-MM-DD (JST), amounts and unit counts are positive."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import click

from kabuto.domain import investor_id_to_bytes32
from kabuto.errors import OptionError
from kabuto.inputs.dates import parse_date
from kabuto.inputs.fields import checksum_address
from kabuto.lots import ZERO_ADDRESS

_LOOKS_LIKE_ADDRESS = re.compile(r"^0[xX][0-9a-fA-F]*$")
UINT64_MAX = 2**64 - 1


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class AddressType(click.ParamType):
    """An EIP-55 checksummed address (no investor id)."""

    name = "ADDRESS"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        try:
            return checksum_address(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@dataclass(frozen=True)
class Holder:
    """An investor named on the command line: by investor id or by wallet."""

    text: str
    wallet: str | None  # given as a wallet
    investor_id: str | None  # given as an investor id

    def resolve(self, registry: Any, what: str) -> str:
        """The wallet (an id is looked up in the registry).

        Raises:
            OptionError: an id not registered.
        """
        if self.wallet is not None:
            return self.wallet
        assert self.investor_id is not None
        wallet = str(registry.walletOf(investor_id_to_bytes32(self.investor_id)))
        if wallet == ZERO_ADDRESS:
            raise OptionError(
                what,
                f"{self.investor_id!r} is not a registered investor id (nor a wallet); "
                "check the id, or give the wallet address",
            )
        return wallet

    def __str__(self) -> str:
        return self.text


class HolderType(click.ParamType):
    """An investor id (INV-001) or its EIP-55 wallet address."""

    name = "INVESTOR_ID|WALLET"

    def convert(self, value: Any, param: Any, ctx: Any) -> Holder:
        if isinstance(value, Holder):
            return value
        text = str(value).strip()
        if _LOOKS_LIKE_ADDRESS.match(text):
            try:
                return Holder(text, checksum_address(text), None)
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        try:
            investor_id_to_bytes32(text)
        except ValueError as exc:
            self.fail(f"{text!r} is neither a wallet address nor an investor id: {exc}", param, ctx)
        return Holder(text, None, text)


class InvestorIdType(click.ParamType):
    name = "INVESTOR_ID"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip()
        try:
            investor_id_to_bytes32(text)
        except ValueError as exc:
            hint = " (that is a wallet address: give the investor id)" if text[:2] == "0x" else ""
            self.fail(f"{exc}{hint}", param, ctx)
        return text


class SymbolType(click.ParamType):
    """A token symbol as the term sheets write it (capitals and digits)."""

    name = "SYMBOL"
    _RE = re.compile(r"^[A-Z][A-Z0-9]{0,10}$")

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip()
        if not self._RE.match(text):
            hint = f"; did you mean {text.upper()}?" if self._RE.match(text.upper()) else ""
            self.fail(
                f"{text!r} is not a token symbol (1-11 capital letters and digits){hint}",
                param,
                ctx,
            )
        return text


class TextType(click.ParamType):
    """Free text that must say something (a reason for the audit trail)."""

    name = "TEXT"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip()
        if not text:
            self.fail("must not be empty", param, ctx)
        if len(text.encode("utf-8")) > 1024:
            self.fail("is longer than 1024 bytes; shorten it", param, ctx)
        return text


class Bytes32Type(click.ParamType):
    """A 32-byte id in hex (0x and 64 hex digits), e.g. a DvP instruction id."""

    name = "0xID"
    _RE = re.compile(r"^0x[0-9a-fA-F]{64}$")

    def convert(self, value: Any, param: Any, ctx: Any) -> bytes:
        if isinstance(value, bytes):
            return value
        text = str(value).strip()
        if not self._RE.match(text):
            self.fail(f"{text!r} is not an id (0x and 64 hex digits)", param, ctx)
        return bytes.fromhex(text[2:])


DATE = DateType()
ADDRESS = AddressType()
HOLDER = HolderType()
INVESTOR_ID = InvestorIdType()
SYMBOL = SymbolType()
TEXT = TextType()
BYTES32 = Bytes32Type()
UNITS = click.IntRange(min=1, max=UINT64_MAX)
YEN = click.IntRange(min=1, max=2**128 - 1)
COUNT = click.IntRange(min=1, max=10_000)
DAYS = click.IntRange(min=0, max=36_500)
BLOCK = click.IntRange(min=0)


def exclusive(**given: Any) -> None:
    """At most one of the options (by flag name) may be given."""
    named = [flag for flag, value in given.items() if value not in (None, False, ())]
    if len(named) > 1:
        raise click.UsageError(f"give {' or '.join(named)}, not both")


def check_block(block: int | None, head: int) -> None:
    if block is not None and block > head:
        raise click.BadParameter(
            f"block {block} is beyond the chain's head (block {head})", param_hint="'--block'"
        )
