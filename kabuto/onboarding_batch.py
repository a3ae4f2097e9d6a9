"""The calldata of `InvestorRegistry.onboardInvestors` (batch onboarding, docs/registry.md).

A row is its investor id word, one profile word and its ciphertext: calldata is most of what a
batched investor costs, so the static fields share one word instead of six padded ones. The
profile word, low bits first: wallet (160), tax status (8), class (8), zero (8), country (16),
kycExpiry (40), ciphertext length (16). The ciphertexts are concatenated in row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kabuto.onchain_types import InvestorClass, TaxStatus

SIGNATURE = "onboardInvestors(address,bytes32[],uint256[],bytes)"
MAX_CIPHERTEXT = (1 << 16) - 1
MAX_KYC_EXPIRY = (1 << 40) - 1


@dataclass(frozen=True)
class OnboardingRow:
    """One investor of a batch: what `onboardInvestor` takes, but the issuer (one per batch)."""

    investor_id: bytes  # 32 bytes (kabuto.domain.investor_id_to_bytes32)
    wallet: str
    investor_class: InvestorClass
    tax_status: TaxStatus
    country: int
    kyc_expiry: int
    ciphertext: bytes


def profile_word(row: OnboardingRow) -> int:
    """The row's profile word.

    Raises:
        ValueError: a field that does not fit its bits (the chain would refuse the batch).
    """
    if len(row.ciphertext) > MAX_CIPHERTEXT:
        raise ValueError(f"ciphertext of {len(row.ciphertext)} bytes: at most {MAX_CIPHERTEXT}")
    if not 0 <= row.kyc_expiry <= MAX_KYC_EXPIRY or not 0 <= row.country < 1 << 16:
        raise ValueError(f"kycExpiry {row.kyc_expiry} or country {row.country} out of range")
    wallet = int(row.wallet, 16)
    if not 0 <= wallet < 1 << 160:
        raise ValueError(f"{row.wallet} is not an address")
    return (
        wallet
        | int(row.tax_status) << 160
        | int(row.investor_class) << 168
        | row.country << 184
        | row.kyc_expiry << 200
        | len(row.ciphertext) << 240
    )


def batch_arguments(rows: Sequence[OnboardingRow]) -> tuple[list[bytes], list[int], bytes]:
    """`onboardInvestors`' arguments after the issuer: ids, profile words, ciphertexts."""
    return (
        [row.investor_id for row in rows],
        [profile_word(row) for row in rows],
        b"".join(row.ciphertext for row in rows),
    )
