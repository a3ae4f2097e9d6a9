"""The holder register export: the bond register (社債原簿, Companies Act art. 681) or the
trust beneficiary register (受益権原簿, Trust Act art. 186), at a block or a record date.

Two files per export: a CSV that Excel opens correctly with Japanese text (UTF-8 with a BOM,
CRLF, Japanese headers, one row per acquisition lot) and a JSON file with the same content
under English keys. Both end with the reconciliation: the register's units against the
token's on-chain totalSupply and every holder's on-chain balance at the same block, and
say in words whether they agree.
"""

from __future__ import annotations

import csv
import json
import multiprocessing as mp
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from kabuto.domain import jst_date
from kabuto.errors import RegisterError
from kabuto.lots import Lot, units_of
from kabuto.onchain_types import Category, Kind, TaxStatus
from kabuto.personal_data import PersonalData

NOT_REGISTERED = "(個人情報未登録 / personal data not registered)"
# From this many holders the CSV and the JSON are written at once (write_register)
PARALLEL_WRITE_ENTRIES = 20_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class BondTermsView:
    """The bond's terms as the chain holds them (ISecurityToken.BondTerms)."""

    face_value: int
    coupon_rate: int  # millionths a year: 3500 = 0.35%
    coupons_per_year: int
    issue_date: date
    maturity_date: date
    redemption_value: int
    interest_payment_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class BeneficiaryTermsView:
    issue_price: int
    distribution_payment_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class HolderEntry:
    wallet: str
    investor_id: str
    personal_data: PersonalData | None  # None: none stored, or not decryptable
    lots: tuple[Lot, ...]
    tax_status: str = ""  # IInvestorRegistry.TaxStatus label ("" when not read)

    @cached_property
    def units(self) -> int:  # asked several times per entry by a 10,000-holder register
        return units_of(self.lots)


@dataclass(frozen=True)
class Reconciliation:
    register_units: int
    total_supply: int
    # (wallet, units in the register, on-chain balance) for every holder that differs
    mismatches: tuple[tuple[str, int, int], ...] = ()

    @property
    def ok(self) -> bool:
        return self.register_units == self.total_supply and not self.mismatches

    def statement(self) -> str:
        if self.ok:
            return (
                f"RECONCILED: the register's {self.register_units} units equal the on-chain "
                f"totalSupply ({self.total_supply}) and every holder's on-chain balance"
            )
        return (
            f"NOT RECONCILED: register {self.register_units} units, on-chain totalSupply "
            f"{self.total_supply}, {len(self.mismatches)} holder balance(s) differ"
        )


def reconcile(
    entries: Sequence[HolderEntry], total_supply: int, balances: Mapping[str, int]
) -> Reconciliation:
    """Compares the register with on-chain balances (read at the register's block)."""
    mismatches = []
    listed = set()
    for entry in entries:
        listed.add(entry.wallet)
        chain_units = balances.get(entry.wallet, 0)
        if chain_units != entry.units:
            mismatches.append((entry.wallet, entry.units, chain_units))
    for wallet, units in balances.items():
        if wallet not in listed and units:
            mismatches.append((wallet, 0, units))
    return Reconciliation(sum(e.units for e in entries), total_supply, tuple(mismatches))


@dataclass(frozen=True)
class HolderRegister:
    symbol: str
    name: str
    token_address: str
    chain_id: int
    category: Category
    kind: Kind
    block_number: int
    block_timestamp: int
    record_date: date | None
    terms: BondTermsView | BeneficiaryTermsView
    entries: tuple[HolderEntry, ...]
    reconciliation: Reconciliation
    notes: tuple[str, ...] = field(default=())

    @property
    def unit_amount(self) -> int:
        """Yen per unit: the amount of each bond, or the issue price of a beneficiary unit."""
        terms = self.terms
        return terms.face_value if isinstance(terms, BondTermsView) else terms.issue_price


def excel_cell(value: object) -> str:
    """Text Excel shows as typed: never read as a formula (names come from outside)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rate(millionths: int) -> str:
    return f"年{millionths / 10_000:g}%"


def _dates(days: Sequence[date]) -> str:
    return " / ".join(day.isoformat() for day in days)


def _header_rows(reg: HolderRegister) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("銘柄 (issue name)", reg.name),
        ("シンボル (symbol)", reg.symbol),
        ("区分 (FIEA category)", reg.category.label),
        ("トークンアドレス (token address)", reg.token_address),
        ("チェーンID (chain id)", reg.chain_id),
        ("ブロック番号 (block)", reg.block_number),
        ("ブロック日付 (block date, JST)", jst_date(reg.block_timestamp).isoformat()),
        ("基準日 (record date)", reg.record_date.isoformat() if reg.record_date else ""),
    ]
    terms = reg.terms
    total = reg.reconciliation.register_units * reg.unit_amount
    if isinstance(terms, BondTermsView):
        rows += [
            ("社債の種類 (class of bonds)", reg.name),
            ("利率 (coupon)", _rate(terms.coupon_rate)),
            ("利払回数 (coupons a year)", terms.coupons_per_year),
            ("利払日 (interest payment dates)", _dates(terms.interest_payment_dates)),
            ("償還期限 (maturity)", terms.maturity_date.isoformat()),
            ("償還金額 (redemption per bond, yen)", terms.redemption_value),
            ("各社債の金額 (amount of each bond, yen)", terms.face_value),
            ("社債の総額 (total amount, yen)", total),
            ("払込金額 (amount paid per bond, yen; issued at par)", terms.face_value),
            ("払込日 (payment date)", terms.issue_date.isoformat()),
        ]
    else:
        rows += [
            ("受益権の内容 (beneficiary interest)", reg.name),
            ("発行価額 (issue price per unit, yen)", terms.issue_price),
            ("分配金支払日 (distribution dates)", _dates(terms.distribution_payment_dates)),
            ("発行総額 (total at issue price, yen)", total),
        ]
    return rows


def table_columns(kind: Kind) -> tuple[str, ...]:
    holder = "社債権者" if kind is Kind.BOND else "受益者"
    first = ("社債の種類", "各社債の金額") if kind is Kind.BOND else ("受益権の名称", "発行価額")
    return first + (
        f"{holder}の氏名又は名称",
        "住所",
        "投資家ID",
        "ウォレットアドレス",
        "取得日",
        "口数",
        "金額",
        "保有口数合計",
        "課税区分 (tax status)",
    )


class _Days:
    """ISO dates (JST) of block timestamps, each computed once: a register has many lots but
    few distinct acquisition times (one per block)."""

    def __init__(self) -> None:
        self._seen: dict[int, str] = {}

    def __call__(self, timestamp: int) -> str:
        day = self._seen.get(timestamp)
        if day is None:
            day = self._seen[timestamp] = jst_date(timestamp).isoformat()
        return day


def write_register_csv(reg: HolderRegister, path: Path) -> Path:
    """The register as CSV for Excel (UTF-8 with BOM): terms, one row per lot, reconciliation."""
    path.parent.mkdir(parents=True, exist_ok=True)
    title = (
        "社債原簿 (bond register)" if reg.kind is Kind.BOND else "受益権原簿 (beneficiary register)"
    )
    unit_amount, issue_name, day = reg.unit_amount, excel_cell(reg.name), _Days()
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow([title])
        out.writerows([[excel_cell(k), excel_cell(v)] for k, v in _header_rows(reg)])
        out.writerow([])
        out.writerow(table_columns(reg.kind))
        for entry in reg.entries:
            person = entry.personal_data
            holder = (
                issue_name,
                unit_amount,
                excel_cell(person.name if person else NOT_REGISTERED),
                excel_cell(person.address if person else NOT_REGISTERED),
                excel_cell(entry.investor_id),
                entry.wallet,
            )
            total, tax = entry.units, entry.tax_status
            out.writerows(
                [*holder, day(lot.acquired_at), lot.units, lot.units * unit_amount, total, tax]
                for lot in entry.lots
            )
        out.writerow([])
        rec = reg.reconciliation
        out.writerow(["照合 (reconciliation)", "一致 (OK)" if rec.ok else "不一致 (MISMATCH)"])
        out.writerow(["原簿の口数合計 (register units)", rec.register_units])
        out.writerow(["オンチェーン総供給量 (on-chain totalSupply)", rec.total_supply])
        for wallet, units, chain_units in rec.mismatches:
            out.writerow(["残高不一致 (balance differs)", wallet, units, chain_units])
        out.writerow(["結果 (statement)", rec.statement()])
        for note in reg.notes:
            out.writerow(["注記 (note)", excel_cell(note)])
    return path


def _terms_json(terms: BondTermsView | BeneficiaryTermsView) -> dict[str, Any]:
    return {
        key: (
            value.isoformat()
            if isinstance(value, date)
            else [d.isoformat() for d in value]
            if isinstance(value, tuple)
            else value
        )
        for key, value in vars(terms).items()
    }


def _register_json_without_holders(reg: HolderRegister) -> dict[str, Any]:
    rec = reg.reconciliation
    return {
        "register": "bond" if reg.kind is Kind.BOND else "beneficiary",
        "symbol": reg.symbol,
        "name": reg.name,
        "token": reg.token_address,
        "chain_id": reg.chain_id,
        "category": reg.category.label,
        "block_number": reg.block_number,
        "block_date_jst": jst_date(reg.block_timestamp).isoformat(),
        "record_date": reg.record_date.isoformat() if reg.record_date else None,
        "terms": _terms_json(reg.terms),
        "unit_amount_yen": reg.unit_amount,
        "holders": [],
        "reconciliation": {
            "register_units": rec.register_units,
            "total_supply": rec.total_supply,
            "reconciled": rec.ok,
            "mismatches": [
                {"wallet": w, "register_units": u, "on_chain": c} for w, u, c in rec.mismatches
            ],
            "statement": rec.statement(),
        },
        "notes": list(reg.notes),
    }


def register_to_json(reg: HolderRegister) -> dict[str, Any]:
    """The JSON document of the register (what :func:`write_register_json` writes)."""
    day = _Days()
    document = _register_json_without_holders(reg)
    document["holders"] = [
        {
            "wallet": e.wallet,
            "investor_id": e.investor_id,
            "tax_status": e.tax_status,
            "name": e.personal_data.name if e.personal_data else None,
            "address": e.personal_data.address if e.personal_data else None,
            "units": e.units,
            "amount_yen": e.units * reg.unit_amount,
            "lots": [
                {
                    "acquired_on": day(lot.acquired_at),
                    "acquired_at": lot.acquired_at,
                    "units": lot.units,
                }
                for lot in e.lots
            ],
        }
        for e in reg.entries
    ]
    return document


def _holders_json(reg: HolderRegister) -> str:
    """The "holders" list exactly as ``json.dumps(..., indent=2, ensure_ascii=False)`` lays
    it out at its place in the document (Python's indenting encoder is pure Python and takes
    seconds for 100,000 lots; this writes the same bytes by templates)."""
    if not reg.entries:
        return "[]"
    text = json.dumps
    day, unit_amount = _Days(), reg.unit_amount
    lot_sep = "\n        },\n        {\n          "
    holders = []
    for e in reg.entries:
        person = e.personal_data
        units = e.units
        if e.lots:
            lots = lot_sep.join(
                f'"acquired_on": "{day(lot.acquired_at)}",\n          "acquired_at": '
                f'{lot.acquired_at},\n          "units": {lot.units}'
                for lot in e.lots
            )
            lots = "[\n        {\n          " + lots + "\n        }\n      ]"
        else:
            lots = "[]"
        holders.append(
            f'"wallet": {text(e.wallet, ensure_ascii=False)},\n'
            f'      "investor_id": {text(e.investor_id, ensure_ascii=False)},\n'
            f'      "tax_status": {text(e.tax_status, ensure_ascii=False)},\n'
            f'      "name": {text(person.name if person else None, ensure_ascii=False)},\n'
            f'      "address": {text(person.address if person else None, ensure_ascii=False)},\n'
            f'      "units": {units},\n      "amount_yen": {units * unit_amount},\n'
            f'      "lots": {lots}'
        )
    return "[\n    {\n      " + "\n    },\n    {\n      ".join(holders) + "\n    }\n  ]"


def _status_label(status: TaxStatus | None) -> str:
    return status.label if status is not None else ""


def write_register_json(reg: HolderRegister, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = json.dumps(_register_json_without_holders(reg), ensure_ascii=False, indent=2)
    marker = '"holders": []'
    if document.count(marker) != 1:  # a key, so never inside an (escaped) string
        raise RegisterError(f"the register document has {document.count(marker)} holder lists")
    path.write_text(
        document.replace(marker, '"holders": ' + _holders_json(reg)) + "\n", encoding="utf-8"
    )
    return path


def write_register(reg: HolderRegister, directory: Path) -> tuple[Path, Path]:
    """Both files, named <chain id>-<symbol>-register-<record date or block>.{csv,json} (the
    chain id keeps an export on another chain from overwriting these)."""
    at = f"record-{reg.record_date.isoformat()}" if reg.record_date else f"block-{reg.block_number}"
    stem = f"{reg.chain_id}-{reg.symbol}-register-{at}"
    csv_path, json_path = directory / f"{stem}.csv", directory / f"{stem}.json"
    if len(reg.entries) < PARALLEL_WRITE_ENTRIES or "fork" not in mp.get_all_start_methods():
        return write_register_csv(reg, csv_path), write_register_json(reg, json_path)
    # A large register: the JSON is written by a forked child (it shares the register's memory,
    # nothing is pickled) while this process writes the CSV; each takes seconds at 100,000
    # holders, and they need nothing from each other.
    child = mp.get_context("fork").Process(target=_write_json_in_child, args=(reg, json_path))
    child.start()
    write_register_csv(reg, csv_path)
    child.join()
    if child.exitcode != 0:
        raise RegisterError(
            f"writing {json_path} failed (exit code {child.exitcode}): run the export again"
        )
    return csv_path, json_path


def _write_json_in_child(reg: HolderRegister, path: Path) -> None:
    try:
        write_register_json(reg, path)
    except Exception as error:  # noqa: BLE001 - reported by the parent as a failed write
        sys.stderr.write(f"kabuto: writing {path} failed: {error}\n")
        sys.exit(1)


def holder_entries(
    lots: Mapping[str, Sequence[Lot]],
    investor_ids: Mapping[str, str],
    personal_data: Mapping[str, PersonalData],
    tax_statuses: Mapping[str, TaxStatus] | None = None,
) -> tuple[HolderEntry, ...]:
    """Register entries, ordered by investor id then wallet, from lots per wallet, the
    decrypted identities and the tax statuses (both by investor id)."""
    statuses = tax_statuses or {}
    entries = [
        HolderEntry(
            wallet,
            investor_ids.get(wallet, ""),
            personal_data.get(investor_ids.get(wallet, "")),
            tuple(wallet_lots),
            _status_label(statuses.get(investor_ids.get(wallet, ""))),
        )
        for wallet, wallet_lots in lots.items()
        if wallet_lots
    ]
    return tuple(sorted(entries, key=lambda e: (e.investor_id, e.wallet)))
