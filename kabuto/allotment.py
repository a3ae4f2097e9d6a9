"""Pro-rata allotment of an over-subscribed primary offering, computed off-chain.

`PrimaryOffering.allot` verifies only the caps (each allotment within [minimum, applied], the
total within the units offered); how an over-subscribed book is shared is the issuer's decision.
This module computes the usual one: pro rata by units applied for, whole units, largest
remainder first, no allotment below the minimum subscription, and checks any allotment against
the same caps the contract enforces, so a refusal is found before a transaction is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from kabuto.errors import KabutoError


class AllotmentError(KabutoError):
    """An allotment the offering contract would refuse; the message says which cap and for whom."""


@dataclass(frozen=True)
class Application:
    """One investor's application: its registry investor id and the units it applied for."""

    investor_id: bytes
    units: int


def pro_rata(applications: Sequence[Application], offered: int, min_units: int) -> dict[bytes, int]:
    """Allotments (investor id -> units, zero-unit entries omitted) for `applications`.

    Under-subscribed books are allotted in full. Otherwise each investor gets
    floor(applied * offered / total); the units left go one by one to the largest remainders
    (ties: the earlier application in `applications`). An investor whose share falls below
    `min_units` gets nothing and its share is shared again among the others, who never receive
    more than they applied for.

    Raises:
        AllotmentError: an application is outside [min_units, ...] or an investor appears twice.
    """
    _check_applications(applications, min_units)
    if sum(a.units for a in applications) <= offered:
        return {a.investor_id: a.units for a in applications}
    eligible = list(applications)
    while True:
        shares = _largest_remainder(eligible, offered)
        too_small = [a for a in eligible if shares[a.investor_id] < min_units]
        if not too_small:
            return {i: u for i, u in shares.items() if u > 0}
        # Drop the smallest applications first: they are the ones a pro-rata cut pushes below
        # the minimum; the rest share the units again.
        smallest = min(a.units for a in too_small)
        eligible = [a for a in eligible if not (a in too_small and a.units == smallest)]


def check_allotment(
    allotments: Mapping[bytes, int], applied: Mapping[bytes, int], offered: int, min_units: int
) -> None:
    """Raises AllotmentError for what `PrimaryOffering.allot` would refuse."""
    problems = []
    for investor_id, units in allotments.items():
        label = "0x" + investor_id.hex()
        if investor_id not in applied:
            problems.append(f"{label}: did not apply (OfferingWrongApplicationStatus)")
        elif units > applied[investor_id]:
            problems.append(
                f"{label}: {units} units allotted but {applied[investor_id]} applied for"
            )
        elif units < min_units:
            problems.append(
                f"{label}: {units} units is below the minimum subscription of {min_units}"
            )
    total = sum(allotments.values())
    if total > offered:
        problems.append(
            f"{total} units allotted in total but only {offered} offered: reduce allotments"
        )
    if problems:
        raise AllotmentError("allotment refused:\n  " + "\n  ".join(problems))


def _largest_remainder(applications: Sequence[Application], offered: int) -> dict[bytes, int]:
    total = sum(a.units for a in applications)
    if total <= offered:
        return {a.investor_id: a.units for a in applications}
    quotas = [Fraction(a.units * offered, total) for a in applications]
    shares = {a.investor_id: int(q) for a, q in zip(applications, quotas, strict=True)}
    left = offered - sum(shares.values())
    by_remainder = sorted(
        range(len(applications)), key=lambda i: (-(quotas[i] - int(quotas[i])), i)
    )
    for i in by_remainder[:left]:
        shares[applications[i].investor_id] += 1
    return shares


def _check_applications(applications: Sequence[Application], min_units: int) -> None:
    seen: set[bytes] = set()
    for a in applications:
        if a.investor_id in seen:
            raise AllotmentError(
                f"0x{a.investor_id.hex()} applies twice: keep one application per investor"
            )
        seen.add(a.investor_id)
        if a.units < min_units:
            raise AllotmentError(
                f"0x{a.investor_id.hex()} applied for {a.units} units, below the minimum {min_units}"
            )
