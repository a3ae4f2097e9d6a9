"""What an investor does with its own wallet: a standing lock of units to the venue (or another
authorised lock address), yen coin allowances to the platform's contracts that pull yen, and
issuer-approved transfer applications (apply, cancel). Every step reads the chain first and
sends only what is missing (a rerun sends nothing); a dry run says what would be sent."""

from __future__ import annotations

from typing import Any

from kabuto.errors import ChainStateError, OptionError
from kabuto.ops.approvals import STATUSES, application, applications
from kabuto.ops.chain import Platform, send
from kabuto.ops.trading import require_transferable

# Contracts that pull an investor's yen coin: name on the command line -> (platform attribute,
# what it is).
SPENDERS: dict[str, tuple[str, str]] = {
    "venue": ("batch", "the venue's batch settlement"),
    "dvp": ("dvp", "bilateral DvP settlement"),
    "offering": ("offering", "primary offerings"),
}
PENDING, APPROVED, CANCELLED = 1, 2, 4


def _symbol(token: Any) -> str:
    return str(token.symbol())


def lock(
    platform: Platform,
    token: Any,
    holder: Any,
    total: int,
    to: str = "venue",
    dry_run: bool = False,
) -> str:
    """Locks to `to` (venue or an authorised lock address) what `holder` lacks of `total`."""
    symbol, wallet = _symbol(token), str(holder.address)
    if to == "venue":
        lock_address, where = str(platform.batch.address), "the venue"
    else:
        lock_address, where = to, to
    if lock_address == str(platform.dvp.address):
        raise OptionError(
            "--to", "a lock to the DvP contract carries an instruction: use `ape run dvp instruct`"
        )
    authorized, _ = token.isAuthorizedLockAddress(lock_address)
    if not authorized:
        raise OptionError("--to", f"{lock_address} is not an authorised lock address of {symbol}")
    locked = int(token.lockedOf(lock_address, wallet))
    if locked >= total:
        return f"{wallet}: {locked} {symbol} already locked to {where}; nothing sent"
    more = total - locked
    free = int(token.freeBalanceOf(wallet))
    if more > free:
        raise OptionError(
            "UNITS",
            f"{wallet} has {locked} {symbol} locked to {where} and {free} free; "
            f"{more} more cannot be locked",
        )
    if dry_run:
        return f"would lock {more} {symbol} of {wallet} to {where}; dry run, nothing sent"
    send(token.lock, lock_address, more, b"", sender=holder)
    return f"locked {more} {symbol} of {wallet} to {where} ({total} locked there now)"


def set_allowance(
    platform: Platform, holder: Any, spender: str, amount: int, dry_run: bool = False
) -> str:
    """Sets `holder`'s yen coin allowance to `spender` (a SPENDERS name) to exactly `amount`."""
    attribute, what = SPENDERS[spender]
    contract = getattr(platform, attribute)
    wallet = str(holder.address)
    current = int(platform.yen.allowance(wallet, contract))
    if current == amount:
        return f"{wallet}: yen allowance to {what} already {amount:,}; nothing sent"
    if dry_run:
        return f"would set {wallet}'s yen allowance to {what} {current:,} -> {amount:,}; dry run"
    send(platform.yen.approve, contract, amount, sender=holder)
    return f"{wallet}: yen allowance to {what} {current:,} -> {amount:,}"


def allowances(platform: Platform, wallet: str) -> list[str]:
    yen = platform.yen
    lines = [f"{wallet}: {int(yen.balanceOf(wallet)):,} yen coin"]
    for name, (attribute, what) in SPENDERS.items():
        amount = int(yen.allowance(wallet, getattr(platform, attribute)))
        lines.append(f"  {name:<9}{amount:>16,}  ({what})")
    return lines


def apply(
    token: Any,
    holder: Any,
    recipient: str,
    units: int,
    note: str = "",
    again: bool = False,
    dry_run: bool = False,
) -> str:
    """Applies for an issuer-approved transfer of `units` to `recipient`. A pending or approved
    application of the same units to the same recipient is taken for this one unless `again`."""
    symbol, wallet = _symbol(token), str(holder.address)
    if not bool(token.approvalRequired()):
        raise ChainStateError(f"{symbol} needs no approval: transfer the units directly")
    if not again:
        for found in applications(token, pending_only=False):
            number = found.id
            if (found.sender, found.recipient, found.value) == (
                wallet,
                recipient,
                units,
            ) and found.status in (PENDING, APPROVED):
                return (
                    f"{wallet}: already applied as #{number} ({found.status_name}); nothing "
                    "sent (--again files another application of the same transfer)"
                )
    require_transferable(token, wallet, recipient, units, f"{symbol} would refuse this transfer")
    if dry_run:
        return f"would apply for {units} {symbol} {wallet} -> {recipient}; dry run, nothing sent"
    send(token.applyForTransfer, recipient, units, note.encode(), sender=holder)
    number = int(token.applicationCount()) - 1
    return f"applied as #{number}: {units} {symbol} {wallet} -> {recipient} (pending approval)"


def applicant(token: Any, number: int) -> str:
    """The wallet that filed application `number`.

    Raises:
        OptionError: no such application.
    """
    count = int(token.applicationCount())
    if number >= count:
        raise OptionError(
            "APPLICATION_ID", f"{_symbol(token)} has {count} applications (#0-#{count - 1})"
        )
    return application(token, number).sender


def cancel(token: Any, holder: Any, number: int, dry_run: bool = False) -> str:
    """The applicant withdraws its pending application `number`."""
    found = application(token, number)
    if found.sender != str(holder.address):
        raise OptionError("APPLICATION_ID", f"#{number} was filed by {found.sender}")
    if found.status == CANCELLED:
        return f"#{number} already cancelled; nothing sent"
    if found.status != PENDING:
        raise ChainStateError(
            f"#{number} is {STATUSES[found.status]}: only a pending application can be cancelled"
        )
    if dry_run:
        return f"would cancel #{number}; dry run, nothing sent"
    send(token.cancelTransfer, found.fields, b"", sender=holder)
    return f"#{number} cancelled: {found.value} units back to {found.sender}"
