"""The executions file a venue hands to settlement: the CSV that `ape run settle_batch` reads
(kabuto.inputs.executions: trade_id, seller_wallet, buyer_wallet, symbol, quantity, yen_amount)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from kabuto.inputs.executions import COLUMNS
from kabuto.venue.model import Execution


def write_executions(path: Path, executions: Iterable[Execution]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for e in executions:
            writer.writerow(
                [e.trade_id, e.seller_wallet, e.buyer_wallet, e.symbol, e.quantity, e.yen_amount]
            )
    return path
