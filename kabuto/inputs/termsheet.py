"""The term sheet (YAML): what a token is (FIEA category, bond or beneficiary terms), who may
hold it (rules) and which documents describe it. See examples/*.yaml and docs/tooling.md."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from kabuto.domain import UINT32_MAX, UINT64_MAX, UINT256_MAX, coupon_rate_millionths
from kabuto.errors import InputError, InputIssue
from kabuto.inputs.dates import InputDate
from kabuto.inputs.fields import checksum_address, parse_enum, parse_investor_class
from kabuto.inputs.tabular import issues_from_validation
from kabuto.inputs.yamlfile import Loc, line_of, load_yaml_with_lines
from kabuto.onchain_types import (
    PROFESSIONAL_CLASSES,
    BusinessDayConvention,
    Category,
    InvestorClass,
    Kind,
    class_mask,
)

_SYMBOL = re.compile(r"^[A-Z][A-Z0-9]{0,10}$")
_HEX32 = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
Yen = Annotated[int, Field(gt=0, le=UINT256_MAX, strict=True)]


def _percent(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError("write the annual rate in percent as a number, e.g. 0.35")
    text = str(value).strip().rstrip("%")
    coupon_rate_millionths(text)  # exactness and number check
    return Decimal(text)


def _hex_text(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError("YAML read the hash as a number: put it in quotes, e.g. sha256: '0123...'")
    return value


def _hex32(value: str) -> str:
    if not _HEX32.match(value):
        raise ValueError("write the hash as 64 hex digits (with or without 0x)")
    return value.lower().removeprefix("0x")


def _doc_name(value: str) -> str:
    if len(value.encode("utf-8")) > 32:
        raise ValueError(
            f"{value!r} is longer than 32 bytes (the chain keys documents by a "
            "bytes32 name); shorten it"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _convention(value: object) -> BusinessDayConvention:
    text = str(value).strip().replace("_", " ").replace("-", " ")
    label = "".join(part.capitalize() for part in text.split())
    return parse_enum(label if label else value, BusinessDayConvention)


class BondTermsInput(_Strict):
    face_value: Yen
    coupon_rate_percent: Annotated[Decimal, BeforeValidator(_percent), Field(ge=0, le=100)]
    coupons_per_year: Literal[1, 2, 4, 12]
    issue_date: InputDate
    # The scheduled dates as the terms state them (利払日 / 償還期限), not moved to business days:
    # `business_day_convention` says where a date that is a bank holiday is paid.
    maturity_date: InputDate
    redemption_value: Yen
    interest_payment_dates: list[InputDate] = []
    interest_record_dates: list[InputDate] = []
    business_day_convention: Annotated[BusinessDayConvention, BeforeValidator(_convention)] = (
        BusinessDayConvention.PRECEDING
    )
    amount_adjusted: bool = False  # interest accrues to the moved payment day (rare in Japan)

    @property
    def coupon_rate(self) -> int:
        """BondTerms.couponRate (annual, millionths: 0.35% -> 3500)."""
        return coupon_rate_millionths(str(self.coupon_rate_percent))


class BeneficiaryTermsInput(_Strict):
    issue_price: Yen
    distribution_record_dates: list[InputDate] = []
    distribution_payment_dates: list[InputDate] = []


class RulesInput(_Strict):
    allowed_classes: list[Annotated[InvestorClass, BeforeValidator(parse_investor_class)]] = Field(
        min_length=1
    )
    holder_cap: int = Field(0, ge=0, le=UINT32_MAX)
    max_balance: int = Field(0, ge=0, le=UINT64_MAX)
    min_holding: int = Field(0, ge=0, le=UINT32_MAX)
    lock_up_until: InputDate | None = None
    qii_resale_only: bool = False
    approval_required: bool = False

    @property
    def allowed_mask(self) -> int:
        return class_mask(*self.allowed_classes)


class DocumentInput(_Strict):
    name: Annotated[str, Field(min_length=1), AfterValidator(_doc_name)]
    uri: str = Field(min_length=1, max_length=500)
    sha256: Annotated[str, BeforeValidator(_hex_text), AfterValidator(_hex32)] | None = None
    keccak256: Annotated[str, BeforeValidator(_hex_text), AfterValidator(_hex32)] | None = None

    @property
    def document_hash(self) -> bytes:
        """The bytes32 the token stores with the document."""
        return bytes.fromhex(self.sha256 or self.keccak256 or "")


def _kind(value: object) -> Kind:
    return parse_enum(value, Kind)


class TermSheet(_Strict):
    category: Annotated[Category, BeforeValidator(lambda v: parse_enum(v, Category))]
    kind: Annotated[Kind, BeforeValidator(_kind)]
    name: str = Field(min_length=1, max_length=64)
    symbol: str
    payment_token: str = "YenCoin"
    bond: BondTermsInput | None = None
    beneficiary: BeneficiaryTermsInput | None = None
    rules: RulesInput
    documents: list[DocumentInput] = []
    # 社債の総額 / 発行総額 in yen: the token's issue limit (every unit ever issued) is set
    # from it, so that issuing beyond it is refused by the token itself.
    total_issue_amount: Yen | None = None

    @property
    def unit_price(self) -> int | None:
        if self.bond is not None:
            return self.bond.face_value
        if self.beneficiary is not None:
            return self.beneficiary.issue_price
        return None

    @property
    def issue_limit_units(self) -> int:
        """The total issue amount in units (0: no limit)."""
        price = self.unit_price
        if not self.total_issue_amount or not price:
            return 0
        return self.total_issue_amount // price

    @field_validator("symbol")
    @classmethod
    def _symbol(cls, value: str) -> str:
        if not _SYMBOL.match(value):
            raise ValueError(
                f"{value!r} is not a symbol: 1-11 capital letters and digits, "
                "starting with a letter"
            )
        return value

    @field_validator("payment_token")
    @classmethod
    def _payment_token(cls, value: str) -> str:
        return checksum_address(value) if value.startswith("0x") else value


def consistency_problems(sheet: TermSheet) -> list[tuple[Loc, str]]:
    """Rules across fields: (key path, message) for each broken one."""
    problems: list[tuple[Loc, str]] = []
    rules = sheet.rules
    expected, other = (
        ("bond", "beneficiary") if sheet.kind is Kind.BOND else ("beneficiary", "bond")
    )
    if getattr(sheet, expected) is None:
        problems.append(
            (
                (expected,),
                f"a {sheet.kind.label.lower()} needs a '{expected}:' section with its terms",
            )
        )
    if getattr(sheet, other) is not None:
        problems.append(
            (
                (other,),
                f"a {sheet.kind.label.lower()} has no '{other}:' terms; "
                "remove the section or change 'kind'",
            )
        )
    if sheet.kind is Kind.BOND and sheet.category is not Category.CLASS1:
        problems.append(
            (
                ("category",),
                "bonds are Class1 (tokenized securities display "
                "rights); Class2 categories hold beneficiary/fund interests",
            )
        )
    if len(set(rules.allowed_classes)) != len(rules.allowed_classes):
        problems.append((("rules", "allowed_classes"), "lists a class twice"))
    if sheet.category is Category.EXCLUDED_CLASS2:
        if not rules.approval_required:
            problems.append(
                (
                    ("rules", "approval_required"),
                    "an ExcludedClass2 token must "
                    "set approval_required: true (transfers only with the issuer's "
                    "consent)",
                )
            )
        if rules.allowed_mask & ~PROFESSIONAL_CLASSES:
            problems.append(
                (
                    ("rules", "allowed_classes"),
                    "an ExcludedClass2 token may only "
                    "be held by professional classes (Specified, "
                    "QualifiedInstitutional, SpeciallyPermitted); remove General",
                )
            )
    if rules.qii_resale_only:
        if sheet.category is not Category.CLASS1:
            problems.append(
                (
                    ("rules", "qii_resale_only"),
                    "QII resale restriction applies to Class1 private placements only",
                )
            )
        if set(rules.allowed_classes) != {InvestorClass.QUALIFIED_INSTITUTIONAL}:
            problems.append(
                (
                    ("rules", "allowed_classes"),
                    "with qii_resale_only the only allowed class is QualifiedInstitutional",
                )
            )
    if rules.max_balance and rules.min_holding > rules.max_balance:
        problems.append(
            (
                ("rules", "min_holding"),
                f"min_holding {rules.min_holding} is above "
                f"max_balance {rules.max_balance}: no holding could satisfy both",
            )
        )
    price = sheet.unit_price
    if sheet.total_issue_amount and price and sheet.total_issue_amount % price:
        problems.append(
            (
                ("total_issue_amount",),
                f"{sheet.total_issue_amount:,} yen is not a whole number of units of {price:,} yen",
            )
        )
    names: set[str] = set()
    for index, document in enumerate(sheet.documents):
        if (document.sha256 is None) == (document.keccak256 is None):
            problems.append(
                (
                    ("documents", index),
                    "give exactly one of sha256 or keccak256: the hash of the document's bytes",
                )
            )
        if document.name in names:
            problems.append(
                (("documents", index, "name"), f"document {document.name!r} is listed twice")
            )
        names.add(document.name)
    if sheet.kind is Kind.BOND and sheet.bond is not None:
        problems += _bond_problems(sheet.bond)
    if sheet.kind is Kind.BENEFICIARY and sheet.beneficiary is not None:
        problems += _schedule_problems(
            ("beneficiary",),
            "distribution_record_dates",
            sheet.beneficiary.distribution_record_dates,
            "distribution_payment_dates",
            sheet.beneficiary.distribution_payment_dates,
        )
    return problems


def _bond_problems(bond: BondTermsInput) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if bond.maturity_date <= bond.issue_date:
        problems.append(
            (
                ("bond", "maturity_date"),
                f"{bond.maturity_date} is not after issue_date {bond.issue_date}",
            )
        )
    problems += _schedule_problems(
        ("bond",),
        "interest_record_dates",
        bond.interest_record_dates,
        "interest_payment_dates",
        bond.interest_payment_dates,
    )
    for index, day in enumerate(bond.interest_payment_dates):
        if not bond.issue_date < day <= bond.maturity_date:
            problems.append(
                (
                    ("bond", "interest_payment_dates", index),
                    f"{day} is outside the bond's life ({bond.issue_date} .. {bond.maturity_date})",
                )
            )
    if bond.coupon_rate > 0 and not bond.interest_payment_dates:
        problems.append(
            (
                ("bond", "interest_payment_dates"),
                "a bond with a coupon needs its interest payment dates",
            )
        )
    return problems


def _schedule_problems(
    base: Loc, record_key: str, records: list[date], payment_key: str, payments: list[date]
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if len(records) != len(payments):
        problems.append(
            (
                base + (record_key,),
                f"{len(records)} record dates but "
                f"{len(payments)} payment dates: give one record date per payment",
            )
        )
    for key, days in ((record_key, records), (payment_key, payments)):
        for index in range(1, len(days)):
            if days[index] <= days[index - 1]:
                problems.append(
                    (
                        base + (key, index),
                        f"{days[index]} is not after "
                        f"{days[index - 1]}: list the dates in order, each once",
                    )
                )
    for index, (record, payment) in enumerate(zip(records, payments, strict=False)):
        if record >= payment:
            problems.append(
                (
                    base + (record_key, index),
                    f"record date {record} must come before its payment date {payment}",
                )
            )
    return problems


def load_term_sheet(path: Path) -> TermSheet:
    """The validated term sheet.

    Raises:
        InputError: every problem, each naming the YAML line and key path.
    """
    data, lines = load_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise InputError.single(path, "a term sheet is a YAML mapping (key: value lines)")

    def locate(loc: tuple[Any, ...]) -> int | None:
        return line_of(lines, loc)

    try:
        sheet = TermSheet.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(path, None, exc, locate)) from None
    problems = consistency_problems(sheet)
    if problems:
        issues = [
            InputIssue(str(path), locate(loc), ".".join(map(str, loc)), message, "line")
            for loc, message in problems
        ]
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    return sheet
