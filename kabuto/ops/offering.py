"""A primary offering from the command line (contracts/offering/PrimaryOffering.sol): the issuer
opens a subscription window, investors apply (or cancel) with their own wallets, the issuer
closes it, allots, and settles the allotments (each subscriber's yen to the proceeds account and
the units issued, both or neither), then finalizes or cancels. Every step reads the chain first
and sends only what is not done yet: a rerun sends nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ape import chain

from kabuto.coupons import end_of_jst_day
from kabuto.domain import investor_id_to_bytes32, jst_date
from kabuto.errors import ChainStateError, OptionError
from kabuto.ops.chain import Platform, send
from kabuto.ops.clock import today

OFFERING_STATUSES = ("None", "Open", "Closed", "Finalized", "Cancelled")
APPLICATION_STATUSES = ("None", "Applied", "Cancelled", "Allotted", "Settled", "Released", "Lapsed")
OPEN, CLOSED, FINALIZED, CANCELLED = 1, 2, 3, 4
APPLIED, ALLOTTED, SETTLED = 1, 3, 4


@dataclass(frozen=True)
class Terms:
    offered: int
    min_units: int
    max_units: int
    start: int
    end: int
    price: int = 0  # 0: the term sheet's
    proceeds: str = ""


def window(start: date | None, end: date) -> tuple[int, int]:
    """From the start of `start`'s JST day (the chain's today when None: the same command
    line is the same window) to the end of `end`'s."""
    first = today() if start is None else start
    return end_of_jst_day(first - timedelta(1)), end_of_jst_day(end)


def _offering(platform: Platform, offering_id: int) -> Any:
    count = int(platform.offering.offeringCount())
    if offering_id >= count:
        raise OptionError("OFFERING_ID", f"there are {count} offerings (ids 0-{count - 1})")
    return platform.offering.offering(offering_id)


def describe(platform: Platform, offering_id: int) -> list[str]:
    view = _offering(platform, offering_id)
    terms = view.terms
    symbol = platform.token_by_address(str(terms.token)).symbol()
    lines = [
        f"offering #{offering_id} of {symbol}: {OFFERING_STATUSES[int(view.status)]}; "
        f"{int(terms.offeredUnits)} units at {int(terms.pricePerUnit):,} yen, "
        f"{int(terms.minUnits)}-{int(terms.maxUnits)} per investor, "
        f"{jst_date(int(terms.start))} to {jst_date(int(terms.end) - 1)} (JST)",
        f"  applied {int(view.appliedUnits)}, allotted {int(view.allottedUnits)}, "
        f"settled {int(view.settledUnits)}",
    ]
    for investor_id, application in applications(platform, offering_id).items():
        lines.append(
            f"  {investor_id:<12} {APPLICATION_STATUSES[int(application.status)]:<9} "
            f"applied {int(application.appliedUnits)}, allotted {int(application.allottedUnits)}"
        )
    return lines


def applications(platform: Platform, offering_id: int) -> dict[str, Any]:
    """Investor id -> ApplicationView, for every investor who ever applied."""
    ids: dict[str, bytes] = {}
    for log in platform.offering.Applied.range(
        0, chain.blocks.height + 1, search_topics={"offeringId": offering_id}
    ):
        raw = bytes(log.event_arguments["investorId"])
        ids[raw.rstrip(b"\0").decode("utf-8", "replace")] = raw
    return {name: platform.offering.applicationOf(offering_id, raw) for name, raw in ids.items()}


def open_offering(
    platform: Platform, token: Any, issuer: Any, terms: Terms, dry_run: bool = False
) -> str:
    """Opens the offering, unless one of this token with the same terms is open or closed."""
    symbol = str(token.symbol())
    contract = platform.offering
    for number in range(int(contract.offeringCount())):
        view = contract.offering(number)
        t = view.terms
        same = (str(t.token), int(t.offeredUnits), int(t.minUnits), int(t.maxUnits)) == (
            str(token.address),
            terms.offered,
            terms.min_units,
            terms.max_units,
        ) and (int(t.start), int(t.end)) == (terms.start, terms.end)
        if same and int(view.status) in (OPEN, CLOSED):
            status = OFFERING_STATUSES[int(view.status)]
            return f"already opened as offering #{number} ({status}); nothing sent"
    if not (0 < terms.min_units <= terms.max_units <= terms.offered):
        raise OptionError("--min", "need 0 < --min <= --max <= --units")
    if terms.end <= max(terms.start, chain.pending_timestamp):
        raise OptionError(
            "--end",
            f"the window must end after it starts and after the chain's now "
            f"({jst_date(chain.pending_timestamp)})",
        )
    steps = []
    agent = not bool(token.isAgent(contract))
    if dry_run:
        grant = f"grant it AGENT_ROLE on {symbol}, then " if agent else ""
        return f"would {grant}open an offering of {terms.offered} {symbol}; dry run, nothing sent"
    if agent:
        send(token.grantRole, token.AGENT_ROLE(), contract, sender=issuer)
        steps.append(f"the offering contract is now an agent of {symbol}")
    proceeds = terms.proceeds or str(issuer.address)
    send(
        contract.openOffering,
        (
            str(token.address),
            "0x" + "0" * 40,
            proceeds,
            terms.price,
            terms.offered,
            terms.min_units,
            terms.max_units,
            terms.start,
            terms.end,
        ),
        sender=issuer,
    )
    number = int(contract.offeringCount()) - 1
    steps.append(f"opened offering #{number}: {terms.offered} {symbol}, proceeds to {proceeds}")
    return "; ".join(steps)


def apply(
    platform: Platform, offering_id: int, subscriber: Any, units: int, dry_run: bool = False
) -> str:
    view = _offering(platform, offering_id)
    wallet = str(subscriber.address)
    raw = bytes(platform.registry.investorIdOf(wallet))
    mine = platform.offering.applicationOf(offering_id, raw)
    if int(mine.status) == APPLIED and int(mine.appliedUnits) == units:
        return f"{wallet}: already applied for {units} units in #{offering_id}; nothing sent"
    if int(mine.status) == APPLIED:
        raise ChainStateError(
            f"{wallet} applied for {int(mine.appliedUnits)} units in #{offering_id}: cancel "
            "that application first (ape run offering cancel-application)"
        )
    if int(view.status) != OPEN:
        raise ChainStateError(
            f"offering #{offering_id} is {OFFERING_STATUSES[int(view.status)]}, not open"
        )
    terms = view.terms
    if not int(terms.minUnits) <= units <= int(terms.maxUnits):
        raise OptionError(
            "UNITS", f"an application is {int(terms.minUnits)}-{int(terms.maxUnits)} units"
        )
    due = units * int(terms.pricePerUnit)
    if dry_run:
        return f"would apply for {units} units ({due:,} yen) in #{offering_id}; dry run"
    send(platform.offering.applyForOffering, offering_id, units, sender=subscriber)
    said = f"{wallet} applied for {units} units in #{offering_id} ({due:,} yen due at settlement)"
    allowance = int(platform.yen.allowance(wallet, platform.offering))
    if allowance < due:
        said += (
            f"; its yen allowance to offerings is {allowance:,}: before settlement run "
            f"`ape run holder allow {wallet} {due} --to offering`"
        )
    return said


def cancel_application(
    platform: Platform, offering_id: int, subscriber: Any, dry_run: bool = False
) -> str:
    _offering(platform, offering_id)
    wallet = str(subscriber.address)
    raw = bytes(platform.registry.investorIdOf(wallet))
    status = int(platform.offering.applicationOf(offering_id, raw).status)
    if status == 2:
        return f"{wallet}: application to #{offering_id} already cancelled; nothing sent"
    if status != APPLIED:
        raise ChainStateError(
            f"{wallet}'s application to #{offering_id} is {APPLICATION_STATUSES[status]}: "
            "only an application waiting for allotment can be cancelled"
        )
    if dry_run:
        return f"would cancel {wallet}'s application to #{offering_id}; dry run"
    send(platform.offering.cancelApplication, offering_id, sender=subscriber)
    return f"{wallet}'s application to #{offering_id} cancelled"


def _status_step(
    platform: Platform,
    offering_id: int,
    issuer: Any,
    method: str,
    wanted: int,
    allowed: Sequence[int],
    dry_run: bool,
) -> str:
    view = _offering(platform, offering_id)
    status = int(view.status)
    if status == wanted:
        return f"offering #{offering_id} already {OFFERING_STATUSES[wanted]}; nothing sent"
    if status not in allowed:
        raise ChainStateError(
            f"offering #{offering_id} is {OFFERING_STATUSES[status]}: it cannot be "
            f"{OFFERING_STATUSES[wanted].lower()}"
        )
    if wanted == CANCELLED and int(view.settledUnits):
        raise ChainStateError(
            f"offering #{offering_id} has {int(view.settledUnits)} settled units: finalize it"
        )
    if dry_run:
        return f"would set offering #{offering_id} {OFFERING_STATUSES[wanted]}; dry run"
    send(getattr(platform.offering, method), offering_id, sender=issuer)
    return f"offering #{offering_id}: {OFFERING_STATUSES[status]} -> {OFFERING_STATUSES[wanted]}"


def close(platform: Platform, offering_id: int, issuer: Any, dry_run: bool = False) -> str:
    return _status_step(platform, offering_id, issuer, "closeOffering", CLOSED, (OPEN,), dry_run)


def finalize(platform: Platform, offering_id: int, issuer: Any, dry_run: bool = False) -> str:
    return _status_step(
        platform, offering_id, issuer, "finalizeOffering", FINALIZED, (CLOSED,), dry_run
    )


def cancel(platform: Platform, offering_id: int, issuer: Any, dry_run: bool = False) -> str:
    return _status_step(
        platform, offering_id, issuer, "cancelOffering", CANCELLED, (OPEN, CLOSED), dry_run
    )


def allot(
    platform: Platform,
    offering_id: int,
    issuer: Any,
    wanted: dict[str, int] | None,
    dry_run: bool = False,
) -> str:
    """Allots `wanted` (investor id -> units; None: every waiting application in full).
    An investor already allotted the same units is skipped; nothing is sent while any
    allotment is wrong."""
    view = _offering(platform, offering_id)
    if int(view.status) != CLOSED:
        raise ChainStateError(
            f"offering #{offering_id} is {OFFERING_STATUSES[int(view.status)]}: close it first"
        )
    existing = applications(platform, offering_id)
    if wanted is None:
        wanted = {
            name: int(a.appliedUnits) for name, a in existing.items() if int(a.status) == APPLIED
        }
    problems, send_ids, send_units, skipped = [], [], [], 0
    minimum = int(view.terms.minUnits)
    for name, units in wanted.items():
        application = existing.get(name)
        if application is None:
            problems.append(f"{name} did not apply")
            continue
        status = int(application.status)
        if status in (ALLOTTED, SETTLED) and int(application.allottedUnits) == units:
            skipped += 1
            continue
        if status != APPLIED:
            problems.append(f"{name}'s application is {APPLICATION_STATUSES[status]}")
        elif not minimum <= units <= int(application.appliedUnits):
            problems.append(
                f"{name}: {units} units; allot {minimum}-{int(application.appliedUnits)}"
            )
        else:
            send_ids.append(investor_id_to_bytes32(name))
            send_units.append(units)
    total = int(view.allottedUnits) + sum(send_units)
    if total > int(view.terms.offeredUnits):
        problems.append(f"{total} units allotted in all; {int(view.terms.offeredUnits)} offered")
    if problems:
        raise OptionError("ALLOTMENT", "; ".join(problems))
    if not send_ids:
        return f"offering #{offering_id}: {skipped} allotments already made; nothing sent"
    if dry_run:
        return f"would allot {sum(send_units)} units to {len(send_ids)} investors; dry run"
    send(platform.offering.allot, offering_id, send_ids, send_units, sender=issuer)
    return (
        f"offering #{offering_id}: allotted {sum(send_units)} units to {len(send_ids)} "
        f"investors ({skipped} already allotted)"
    )


def settle(platform: Platform, offering_id: int, issuer: Any, dry_run: bool = False) -> list[str]:
    """Settles every allotment not settled yet: those whose subscriber lacks the yen or the
    allowance are listed and left for a rerun."""
    view = _offering(platform, offering_id)
    if int(view.status) != CLOSED:
        raise ChainStateError(
            f"offering #{offering_id} is {OFFERING_STATUSES[int(view.status)]}: "
            "only a closed offering settles"
        )
    price = int(view.terms.pricePerUnit)
    yen, contract = platform.yen, platform.offering
    ready, lines = [], []
    for name, application in applications(platform, offering_id).items():
        if int(application.status) != ALLOTTED:
            continue
        due, wallet = int(application.allottedUnits) * price, str(application.wallet)
        balance, allowance = int(yen.balanceOf(wallet)), int(yen.allowance(wallet, contract))
        if min(balance, allowance) < due:
            lines.append(
                f"  {name}: {due:,} yen due, holds {balance:,}, allows {allowance:,}: not settled"
            )
        else:
            ready.append((name, due))
    if not ready:
        return [f"offering #{offering_id}: nothing to settle now", *lines]
    total = sum(due for _, due in ready)
    if dry_run:
        return [f"would settle {len(ready)} allotments ({total:,} yen); dry run", *lines]
    ids = [investor_id_to_bytes32(name) for name, _ in ready]
    send(contract.settleBatch, offering_id, ids, sender=issuer)
    after = applications(platform, offering_id)
    settled = [name for name, _ in ready if int(after[name].status) == SETTLED]
    failed = [name for name, _ in ready if name not in settled]
    head = f"offering #{offering_id}: settled {len(settled)} allotments"
    if failed:
        head += f"; refused by the chain: {', '.join(failed)} (AllotmentSettlementFailed)"
    return [head, *lines]
