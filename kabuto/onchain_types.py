"""Python mirrors of the enums and structs in interfaces/IInvestorRegistry.sol and ISecurityToken.sol
(the one definition of each; kabuto.domain re-exports InvestorClass, Category and Kind).

Values must stay in the Solidity declaration order: they are ABI-encoded as uint8.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cache
from typing import Self

from eth_abi import encode

ZERO_ADDRESS = "0x" + "00" * 20


@cache
def _label(name: str) -> str:  # a register asks for 10,000 of them
    return "".join(part.capitalize() for part in name.split("_"))


class LabelledEnum(IntEnum):
    """An enum whose members people also write by their Solidity name, the `label`: input
    files, the manifest and the holder register say "QualifiedInstitutional" for
    QUALIFIED_INSTITUTIONAL."""

    @property
    def label(self) -> str:
        """The member's name in the .sol interface ("QualifiedInstitutional")."""
        return _label(self.name)

    @classmethod
    def from_label(cls, text: str) -> Self:
        """The member whose label is `text`, ignoring case and surrounding spaces.

        Raises:
            ValueError: no member has that label (the message lists the labels).
        """
        wanted = text.strip().lower()
        for member in cls:
            if member.label.lower() == wanted:
                return member
        raise ValueError(
            f"{text!r} is not a {cls.__name__} (one of: {', '.join(m.label for m in cls)})"
        )


class InvestorClass(LabelledEnum):
    """IInvestorRegistry.InvestorClass."""

    GENERAL = 0
    SPECIFIED = 1
    QUALIFIED_INSTITUTIONAL = 2
    SPECIALLY_PERMITTED = 3
    # Deprecated aliases: the spelling of kabuto.domain's former copy of this enum, still used
    # by code outside this change (kabuto/bench). New code uses the names above.
    General = GENERAL
    Specified = SPECIFIED
    QualifiedInstitutional = QUALIFIED_INSTITUTIONAL
    SpeciallyPermitted = SPECIALLY_PERMITTED


class TaxStatus(LabelledEnum):
    """IInvestorRegistry.TaxStatus: how payments to the investor are withheld."""

    UNDECLARED = 0
    RESIDENT_INDIVIDUAL = 1
    DOMESTIC_CORPORATION = 2
    NON_RESIDENT = 3
    EXEMPT = 4


class BusinessDayConvention(LabelledEnum):
    """ICorporateActions.BusinessDayConvention: where a payment day that is a bank holiday moves."""

    PRECEDING = 0
    FOLLOWING = 1
    MODIFIED_FOLLOWING = 2
    UNADJUSTED = 3


class InvestorStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REVOKED = 3


class Category(LabelledEnum):
    """ISecurityToken.Category (FIEA category)."""

    CLASS1 = 0
    CLASS2 = 1
    EXCLUDED_CLASS2 = 2
    # Deprecated aliases (see InvestorClass).
    Class1 = CLASS1
    Class2 = CLASS2
    ExcludedClass2 = EXCLUDED_CLASS2


class Kind(LabelledEnum):
    """ISecurityToken.Kind."""

    BOND = 0
    BENEFICIARY = 1
    # Deprecated aliases (see InvestorClass).
    Bond = BOND
    Beneficiary = BENEFICIARY


class Restriction(IntEnum):
    SUCCESS = 0
    TOKEN_PAUSED = 1
    SENDER_NOT_REGISTERED = 2
    SENDER_NOT_ACTIVE = 3
    SENDER_KYC_EXPIRED = 4
    RECIPIENT_NOT_REGISTERED = 5
    RECIPIENT_NOT_ACTIVE = 6
    RECIPIENT_KYC_EXPIRED = 7
    RECIPIENT_CLASS_NOT_ALLOWED = 8
    HOLDER_CAP_REACHED = 9
    MAX_BALANCE_EXCEEDED = 10
    BELOW_MINIMUM_HOLDING = 11
    LOCK_UP_PERIOD = 12
    QII_RESALE_ONLY = 13
    APPROVAL_REQUIRED = 14
    SENDER_FROZEN = 15
    RECIPIENT_FROZEN = 16
    INSUFFICIENT_FREE_BALANCE = 17
    TOKEN_REDEEMED = 18
    INVALID_RECIPIENT = 19


class ForcedTransferReason(IntEnum):
    COURT_ORDER = 0
    INHERITANCE = 1
    CORRECTION = 2
    OTHER = 3


class ApplicationStatus(IntEnum):
    NONE = 0
    PENDING = 1
    APPROVED = 2
    REJECTED = 3
    CANCELLED = 4
    EXPIRED = 5


def class_mask(*classes: InvestorClass) -> int:
    """The `allowedClasses` bit mask letting exactly `classes` receive a token."""
    mask = 0
    for cls in classes:
        mask |= 1 << int(cls)
    return mask


ALL_CLASSES = class_mask(*InvestorClass)
PROFESSIONAL_CLASSES = class_mask(
    InvestorClass.SPECIFIED,
    InvestorClass.QUALIFIED_INSTITUTIONAL,
    InvestorClass.SPECIALLY_PERMITTED,
)


@dataclass(frozen=True)
class Rules:
    """ISecurityToken.Rules; field order is the Solidity struct's."""

    allowed_classes: int = ALL_CLASSES
    holder_cap: int = 0
    max_balance: int = 0
    min_holding: int = 0
    lock_up_until: int = 0
    qii_resale_only: bool = False
    approval_required: bool = False

    def as_tuple(self) -> tuple[int, int, int, int, int, bool, bool]:
        return (
            self.allowed_classes,
            self.holder_cap,
            self.max_balance,
            self.min_holding,
            self.lock_up_until,
            self.qii_resale_only,
            self.approval_required,
        )


@dataclass(frozen=True)
class BondTerms:
    """ISecurityToken.BondTerms; yen amounts per unit, rates in millionths, dates in unix time."""

    face_value: int
    coupon_rate: int
    coupons_per_year: int
    issue_date: int
    maturity_date: int
    redemption_value: int
    interest_payment_dates: tuple[int, ...] = ()
    interest_record_dates: tuple[int, ...] = ()
    payment_token: str = ZERO_ADDRESS

    def encode(self) -> bytes:
        """ABI encoding the SecurityToken constructor expects as `terms` for a bond."""
        return encode(
            ["(uint256,uint32,uint8,uint40,uint40,uint256,uint40[],uint40[],address)"],
            [
                (
                    self.face_value,
                    self.coupon_rate,
                    self.coupons_per_year,
                    self.issue_date,
                    self.maturity_date,
                    self.redemption_value,
                    list(self.interest_payment_dates),
                    list(self.interest_record_dates),
                    self.payment_token,
                )
            ],
        )


@dataclass(frozen=True)
class BeneficiaryTerms:
    """ISecurityToken.BeneficiaryTerms for a beneficiary-certificate / trust-interest token."""

    issue_price: int
    distribution_record_dates: tuple[int, ...] = field(default_factory=tuple)
    distribution_payment_dates: tuple[int, ...] = field(default_factory=tuple)
    payment_token: str = ZERO_ADDRESS

    def encode(self) -> bytes:
        """ABI encoding the SecurityToken constructor expects as `terms` for a beneficiary token."""
        return encode(
            ["(uint256,uint40[],uint40[],address)"],
            [
                (
                    self.issue_price,
                    list(self.distribution_record_dates),
                    list(self.distribution_payment_dates),
                    self.payment_token,
                )
            ],
        )
