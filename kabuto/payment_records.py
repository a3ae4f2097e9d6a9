"""The paying agent's per-holder payment records: one row per holder of one payment (investor,
wallet paid, tax status, units, gross, tax by component, net, status), filed with the
withholding reports (national income tax to the tax office, the 5% inhabitant tax, 利子割, to
the prefecture). Pure: ``kabuto.ops.payments`` reads the rows from the chain.

Two files per payment, named with the chain id so a record of a test chain is never taken for
production's: ``<chain id>-<SYMBOL>-<kind>-<record date or maturity>-payment<id>.csv`` (UTF-8
with BOM and CRLF, for Excel; cells are never read as formulas) and the same name with
``.json`` (the rows, the totals and the payment's on-chain totals they reconcile with).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from kabuto.register import excel_cell

PAID, HELD, UNPAID = "paid", "held", "unpaid"
COLUMNS = (
    "investor_id",
    "holder_wallet",
    "paid_to_wallet",
    "tax_status",
    "units",
    "gross_yen",
    "national_tax_yen",
    "local_tax_yen",
    "net_yen",
    "status",
)


@dataclass(frozen=True)
class HolderRecord:
    investor_id: str  # "" when the registry does not know the holder
    holder_wallet: str
    paid_to_wallet: str  # the investor's current wallet (paid, or to be paid / released to)
    tax_status: str  # IInvestorRegistry.TaxStatus label
    units: int
    gross_yen: int
    national_tax_yen: int
    local_tax_yen: int
    net_yen: int
    status: str  # paid / held / unpaid

    def __post_init__(self) -> None:
        if self.gross_yen != self.national_tax_yen + self.local_tax_yen + self.net_yen:
            raise ValueError(f"{self.holder_wallet}: gross != national + local + net")
        if self.status not in (PAID, HELD, UNPAID):
            raise ValueError(f"unknown status {self.status!r}")


@dataclass(frozen=True)
class PaymentFile:
    chain_id: int
    symbol: str
    token: str
    payment_id: int
    kind: str  # interest / distribution / redemption
    reference_date: date  # record date (interest, distribution) or maturity (redemption)
    payment_date: date
    records: tuple[HolderRecord, ...]
    onchain_totals: dict[str, int]  # the contract's Payment: funded, paid, withheld, held, ...

    @property
    def stem(self) -> str:
        return (
            f"{self.chain_id}-{self.symbol}-{self.kind}-{self.reference_date.isoformat()}"
            f"-payment{self.payment_id}"
        )

    def totals(self, status: str | None = None) -> dict[str, int]:
        rows = [r for r in self.records if status is None or r.status == status]
        return {
            "holders": len(rows),
            "units": sum(r.units for r in rows),
            "gross_yen": sum(r.gross_yen for r in rows),
            "national_tax_yen": sum(r.national_tax_yen for r in rows),
            "local_tax_yen": sum(r.local_tax_yen for r in rows),
            "net_yen": sum(r.net_yen for r in rows),
        }

    def reconciles(self) -> bool:
        """The rows paid and held add up to what the contract says it withheld and delivered."""
        settled = [r for r in self.records if r.status != UNPAID]
        withheld = sum(r.national_tax_yen + r.local_tax_yen for r in settled)
        delivered = sum(r.net_yen for r in settled)
        chain = self.onchain_totals
        return withheld == chain["withheld"] and delivered == chain["paid"] + chain["held"]


def write_payment_file(payment: PaymentFile, directory: Path) -> tuple[Path, Path]:
    """Writes the CSV and JSON records of `payment` into `directory` (created if absent)."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path = directory / f"{payment.stem}.csv"
    json_path = directory / f"{payment.stem}.json"
    _write_csv(payment.records, csv_path)
    document = {
        "chain_id": payment.chain_id,
        "symbol": payment.symbol,
        "token": payment.token,
        "payment_id": payment.payment_id,
        "kind": payment.kind,
        "reference_date": payment.reference_date.isoformat(),
        "payment_date": payment.payment_date.isoformat(),
        "totals": {s: payment.totals(s) for s in (PAID, HELD, UNPAID)} | {"all": payment.totals()},
        "onchain": payment.onchain_totals,
        "reconciled": payment.reconciles(),
        "holders": [asdict(r) for r in payment.records],
    }
    temporary = json_path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    temporary.replace(json_path)
    return csv_path, json_path


def _write_csv(records: Sequence[HolderRecord], path: Path) -> None:
    temporary = path.with_suffix(".csv.tmp")
    with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow(COLUMNS)
        for record in records:
            out.writerow([excel_cell(getattr(record, column)) for column in COLUMNS])
    temporary.replace(path)
