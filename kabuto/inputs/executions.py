"""A venue's execution file (CSV): the trades of one session, settled as one batch (DvP).

Columns: trade_id, seller_wallet, buyer_wallet, symbol, quantity, yen_amount.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kabuto.domain import UINT256_MAX
from kabuto.errors import InputError
from kabuto.inputs.investors import Wallet
from kabuto.inputs.loaded import LoadedRows
from kabuto.inputs.tabular import duplicate_issues, read_rows, unknown_value_issues, validate_rows

COLUMNS = ("trade_id", "seller_wallet", "buyer_wallet", "symbol", "quantity", "yen_amount")
MAX_TRADE_ID_CHARS = 64


class ExecutionRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    trade_id: str = Field(min_length=1, max_length=MAX_TRADE_ID_CHARS)
    seller_wallet: Wallet
    buyer_wallet: Wallet
    symbol: Annotated[str, Field(min_length=1, max_length=11)]
    quantity: int = Field(gt=0, le=UINT256_MAX)
    yen_amount: int = Field(gt=0, le=UINT256_MAX)

    @model_validator(mode="after")
    def _different_parties(self) -> ExecutionRow:
        if self.seller_wallet == self.buyer_wallet:
            raise ValueError(
                "seller_wallet and buyer_wallet are the same: a trade needs two parties"
            )
        return self


def load_executions(
    path: Path, known_symbols: Collection[str] | None = None
) -> LoadedRows[ExecutionRow]:
    """Every execution of the file; with `known_symbols` (the manifest's tokens), each symbol
    must be one of them.

    Raises:
        InputError: every problem, naming row and column.
    """
    raw = read_rows(path, COLUMNS)
    rows, issues = validate_rows(path, raw, ExecutionRow)
    issues += duplicate_issues(path, raw, "trade_id")
    if known_symbols is not None:
        issues += unknown_value_issues(
            path,
            raw,
            "symbol",
            known_symbols,
            "security",
            f"deployed: {', '.join(sorted(known_symbols)) or 'none'}",
        )
    if issues:
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    return LoadedRows(path, tuple(rows))
