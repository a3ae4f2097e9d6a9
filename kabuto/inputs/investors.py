"""The investors CSV: who the securities firm onboards into the registry.

Columns: investor_id, class, tax_status, country, kyc_expiry, wallet, name, address (see
docs/tooling.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from kabuto.domain import investor_id_to_bytes32
from kabuto.errors import InputError, InputIssue
from kabuto.inputs.dates import InputDate
from kabuto.inputs.fields import (
    checksum_address,
    parse_country,
    parse_investor_class,
    parse_tax_status,
)
from kabuto.inputs.loaded import LoadedRows
from kabuto.inputs.tabular import duplicate_issues, read_rows, validate_rows
from kabuto.onchain_types import InvestorClass, TaxStatus
from kabuto.personal_data import MAX_ADDRESS_CHARS, MAX_NAME_CHARS, PersonalData

COLUMNS = (
    "investor_id",
    "class",
    "tax_status",
    "country",
    "kyc_expiry",
    "wallet",
    "name",
    "address",
)


def _investor_id(value: str) -> str:
    investor_id_to_bytes32(value)  # raises ValueError with the rule
    return value


InvestorId = Annotated[str, AfterValidator(_investor_id)]
Wallet = Annotated[str, AfterValidator(checksum_address)]


class InvestorRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    investor_id: InvestorId
    investor_class: Annotated[InvestorClass, BeforeValidator(parse_investor_class)] = Field(
        alias="class"
    )
    tax_status: Annotated[TaxStatus, BeforeValidator(parse_tax_status)]
    country: Annotated[int, BeforeValidator(parse_country)]
    kyc_expiry: InputDate
    wallet: Wallet
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    address: str = Field(min_length=1, max_length=MAX_ADDRESS_CHARS)

    @property
    def personal_data(self) -> PersonalData:
        return PersonalData(name=self.name, address=self.address)


def load_investors(path: Path, today: date | None = None) -> LoadedRows[InvestorRow]:
    """Every investor of the file, validated; KYC must not have expired by `today`.

    Raises:
        InputError: every problem of the file, each naming its row and column.
    """
    today = today or date.today()
    raw = read_rows(path, COLUMNS)
    rows, issues = validate_rows(path, raw, InvestorRow)
    for number, investor in rows:
        if investor.kyc_expiry < today:
            issues.append(
                InputIssue(
                    str(path),
                    number,
                    "kyc_expiry",
                    f"{investor.kyc_expiry} is in the past: the KYC has "
                    "expired, renew it before onboarding",
                )
            )
    issues += duplicate_issues(path, raw, "investor_id")
    issues += duplicate_issues(path, raw, "wallet", str.lower)
    if issues:
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    return LoadedRows(path, tuple(rows))
