"""The trust bank's yen coin (1 coin = 1 yen): mint against deposits received, burn what it
holds back, and an investor's redemption request (local and test chains, where the
investor's account is a test account). Checked first (roles, allowance, balances, pause,
freeze), each step says what it sent; a dry run sends nothing. The coin records no deposit
reference, so a rerun is recognised by what it did: the same amount to (or from) the same
account on the chain's same day is taken for this one unless `again`."""

from __future__ import annotations

from typing import Any

from ape import chain
from eth_utils import keccak

from kabuto.domain import jst_date
from kabuto.errors import ChainStateError, OptionError
from kabuto.ops.chain import Platform, send
from kabuto.ops.clock import today


def _done_today(event: Any, amount: int, **topics: Any) -> int | None:
    """The block of an `event` log of `amount` with these indexed `topics` on the chain's
    today (JST), or None."""
    for log in event.range(0, chain.blocks.height + 1, search_topics=topics):
        if int(log.event_arguments["amount"]) != amount:
            continue
        if jst_date(int(chain.blocks[log.block_number].timestamp)) == today():
            return int(log.block_number)
    return None


def _again_hint(what: str, block: int) -> str:
    return (
        f"{what} already in block {block} today; nothing sent (--again for another of the "
        "same amount)"
    )


def _not_paused(yen: Any) -> None:
    if bool(yen.paused()):
        raise ChainStateError("the yen coin is paused (the trust bank unpauses it); nothing sent")


def mint(
    platform: Platform,
    trust_bank: Any,
    wallet: str,
    amount: int,
    dry_run: bool = False,
    again: bool = False,
) -> str:
    yen = platform.yen
    if not again and (block := _done_today(yen.Mint, amount, to=wallet)) is not None:
        return _again_hint(f"{amount:,} yen minted to {wallet}", block)
    _not_paused(yen)
    if not bool(yen.isMinter(trust_bank)):
        raise ChainStateError(f"{trust_bank.address} is not a minter of the yen coin")
    allowance = int(yen.minterAllowance(trust_bank))
    if amount > allowance:
        raise OptionError("AMOUNT", f"the trust bank may mint {allowance:,} yen more")
    if bool(yen.isFrozen(wallet)):
        raise OptionError("HOLDER", f"{wallet} is frozen on the yen coin")
    if dry_run:
        return f"would mint {amount:,} yen to {wallet}; dry run, nothing sent"
    send(yen.mint, wallet, amount, sender=trust_bank)
    return f"minted {amount:,} yen to {wallet}; balance {int(yen.balanceOf(wallet)):,}"


def burn(
    platform: Platform, trust_bank: Any, amount: int, dry_run: bool = False, again: bool = False
) -> str:
    yen = platform.yen
    burner = str(trust_bank.address)
    if not again and (block := _done_today(yen.Burn, amount, burner=burner)) is not None:
        return _again_hint(f"{amount:,} yen burned by the trust bank", block)
    _not_paused(yen)
    balance = int(yen.balanceOf(trust_bank))
    if amount > balance:
        raise OptionError("AMOUNT", f"the trust bank holds {balance:,} yen")
    if dry_run:
        return f"would burn {amount:,} yen of the trust bank; dry run, nothing sent"
    send(yen.burn, amount, sender=trust_bank)
    return f"burned {amount:,} yen; the trust bank holds {balance - amount:,}"


def redeem(
    platform: Platform,
    holder: Any,
    amount: int,
    bank_ref: str,
    dry_run: bool = False,
    again: bool = False,
) -> str:
    """The holder asks the trust bank to pay `amount` yen out to its bank account (the coin
    burns it and emits RedemptionRequested with a hash of the account reference)."""
    yen = platform.yen
    wallet = str(holder.address)
    block = None if again else _done_today(yen.RedemptionRequested, amount, holder=wallet)
    if block is not None:
        return _again_hint(f"a redemption of {amount:,} yen by {wallet}", block)
    _not_paused(yen)
    balance = int(yen.balanceOf(holder))
    if amount > balance:
        raise OptionError("AMOUNT", f"{holder.address} holds {balance:,} yen")
    if bool(yen.isFrozen(holder)):
        raise OptionError("HOLDER", f"{holder.address} is frozen on the yen coin")
    if dry_run:
        return f"would redeem {amount:,} yen of {holder.address}; dry run, nothing sent"
    send(yen.redeem, amount, keccak(text=bank_ref), sender=holder)
    return f"{holder.address} asked to redeem {amount:,} yen (request #{yen.redemptionCount()})"
