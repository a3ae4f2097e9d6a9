"""Bilateral DvP by instruction id: the seller instructs (its lock carries the instruction),
the buyer accepts (yen and units move in one transaction) or refuses, an issuer agent approves
or rejects where the token needs approval, the seller cancels, and after expiry anyone releases
the lock. The instruction is found by its id in the contract's Instructed event; its status is
the contract's (open, approved) or, once it ended, the event that ended it. Every step checks
first and a rerun of a step already done sends nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape import chain
from eth_utils import keccak, to_checksum_address

from kabuto.errors import ChainStateError, OptionError
from kabuto.ops.chain import Platform, send
from kabuto.ops.trading import DvpInstruction, check_dvp_instruction, instruct_dvp

STATUSES = ("None", "Open", "Approved", "Settled", "Cancelled", "Refused", "Rejected", "Expired")
OPEN, APPROVED = 1, 2


def salt_of(reference: str) -> bytes:
    """The instruction's salt from the seller's trade reference: the same reference is the
    same instruction, so a rerun finds it instead of locking twice."""
    return keccak(text=f"kabuto:dvp:{reference}")


@dataclass(frozen=True)
class Found:
    id: bytes
    instruction: DvpInstruction
    block: int

    @property
    def hex_id(self) -> str:
        return "0x" + self.id.hex()


def _instruction(log: Any) -> Found:
    args = log.event_arguments
    instruction = DvpInstruction(
        to_checksum_address(str(args["token"])),
        to_checksum_address(str(args["seller"])),
        to_checksum_address(str(args["buyer"])),
        int(args["quantity"]),
        int(args["amount"]),
        int(args["expiry"]),
        bytes(args["salt"]),
    )
    return Found(bytes(args["id"]), instruction, int(log.block_number))


def find(platform: Platform, instruction_id: bytes) -> Found:
    """The instruction with this id.

    Raises:
        OptionError: no such instruction on this chain.
    """
    logs = platform.dvp.Instructed.range(
        0, chain.blocks.height + 1, search_topics={"id": instruction_id}
    )
    for log in logs:
        return _instruction(log)
    raise OptionError("INSTRUCTION_ID", f"0x{instruction_id.hex()} is no DvP instruction here")


def find_by_salt(platform: Platform, token: str, seller: str, salt: bytes) -> Found | None:
    logs = platform.dvp.Instructed.range(
        0, chain.blocks.height + 1, search_topics={"token": token, "seller": seller}
    )
    for log in logs:
        if bytes(log.event_arguments["salt"]) == salt:
            return _instruction(log)
    return None


def status(platform: Platform, found: Found) -> str:
    """Open or Approved from the contract; after that the Settled or Closed event's word."""
    current = int(platform.dvp.statusOf(found.id))
    if current in (OPEN, APPROVED):
        return STATUSES[current]
    height = chain.blocks.height + 1
    for _ in platform.dvp.Settled.range(found.block, height, search_topics={"id": found.id}):
        return "Settled"
    for log in platform.dvp.Closed.range(found.block, height, search_topics={"id": found.id}):
        return STATUSES[int(log.event_arguments["status"])]
    return STATUSES[current]


def describe(platform: Platform, found: Found) -> str:
    i = found.instruction
    symbol = platform.token_by_address(i.token).symbol()
    return (
        f"{found.hex_id} {status(platform, found)}: {i.quantity} {symbol} {i.seller} -> "
        f"{i.buyer} for {i.amount:,} yen (expires {chain_time(i.expiry)})"
    )


def chain_time(timestamp: int) -> str:
    from kabuto.domain import jst_date

    return f"{jst_date(timestamp)} JST"


def instruct(
    platform: Platform,
    token: Any,
    seller: Any,
    buyer: str,
    quantity: int,
    amount: int,
    reference: str,
    valid_days: int,
    dry_run: bool = False,
) -> str:
    salt = salt_of(reference)
    done = find_by_salt(platform, str(token.address), str(seller.address), salt)
    if done is not None:
        return f"already instructed as {describe(platform, done)}; nothing sent"
    free = int(token.freeBalanceOf(seller))
    if quantity > free:
        raise OptionError("UNITS", f"{seller.address} has {free} {token.symbol()} free to lock")
    if dry_run:
        check_dvp_instruction(token, str(seller.address), buyer, quantity)
        return (
            f"would lock {quantity} {token.symbol()} of {seller.address} to the DvP contract "
            f"for {buyer} against {amount:,} yen; dry run, nothing sent"
        )
    instruction = instruct_dvp(
        platform, token, seller, buyer, quantity, amount, valid_days * 24 * 3600, salt=salt
    )
    found = find(platform, bytes(platform.dvp.instructionId(instruction.as_tuple())))
    return f"instructed {describe(platform, found)}"


def _require_open(platform: Platform, found: Found, done: str, step: str) -> str | None:
    """None when the instruction is open; the message for a rerun when it already ended as
    `done`; raises when it ended otherwise."""
    now = status(platform, found)
    if now in ("Open", "Approved"):
        return None
    if now == done:
        return f"{found.hex_id} already {done.lower()}; nothing sent"
    raise ChainStateError(f"{found.hex_id} is {now}: it cannot be {step} any more")


def accept(platform: Platform, found: Found, buyer: Any, dry_run: bool = False) -> str:
    """The buyer pays and receives; its yen allowance to the DvP contract is raised to the
    amount first when short."""
    said = _require_open(platform, found, "Settled", "accepted")
    if said:
        return said
    i = found.instruction
    yen, dvp, wallet = platform.yen, platform.dvp, str(buyer.address)
    token = platform.token_by_address(i.token)
    if bool(token.approvalRequired()) and status(platform, found) != "Approved":
        raise ChainStateError(
            f"{token.symbol()} needs the issuer's approval first: "
            f"ape run dvp approve {found.hex_id}"
        )
    if chain.pending_timestamp > i.expiry:
        raise ChainStateError(f"{found.hex_id} expired ({chain_time(i.expiry)}): release it")
    balance = int(yen.balanceOf(wallet))
    if balance < i.amount:
        raise ChainStateError(f"{wallet} holds {balance:,} yen coin; {i.amount:,} are due")
    if dry_run:
        return f"would accept {found.hex_id}: pay {i.amount:,} yen for {i.quantity}; dry run"
    allowance = ""
    if int(yen.allowance(wallet, dvp)) < i.amount:
        send(yen.approve, dvp, i.amount, sender=buyer)
        allowance = f" (yen allowance to DvP set to {i.amount:,})"
    send(dvp.accept, i.as_tuple(), sender=buyer)
    return f"settled {found.hex_id}: {i.quantity} units for {i.amount:,} yen{allowance}"


def approve(platform: Platform, found: Found, agent: Any, dry_run: bool = False) -> str:
    now = status(platform, found)
    if now == "Approved":
        return f"{found.hex_id} already approved; nothing sent"
    if now != "Open":
        raise ChainStateError(f"{found.hex_id} is {now}: nothing to approve")
    if dry_run:
        return f"would approve {found.hex_id}; dry run, nothing sent"
    send(platform.dvp.approve, found.instruction.as_tuple(), sender=agent)
    return f"approved {found.hex_id}"


# step -> (contract method, the status it ends in, the party who signs)
CLOSES = {
    "cancel": ("cancel", "Cancelled", "seller"),
    "refuse": ("refuse", "Refused", "buyer"),
    "reject": ("reject", "Rejected", "issuer agent"),
    "release": ("release", "Expired", "anyone"),
}


def close(platform: Platform, found: Found, step: str, signer: Any, dry_run: bool = False) -> str:
    method, ends, _ = CLOSES[step]
    said = _require_open(platform, found, ends, f"{ends.lower()}")
    if said:
        return said
    expiry = found.instruction.expiry
    if step == "release" and chain.pending_timestamp <= expiry:
        raise ChainStateError(
            f"{found.hex_id} runs until {chain_time(expiry)}: the seller may cancel it, or "
            "release it after its expiry"
        )
    if dry_run:
        return f"would {step} {found.hex_id} (the lock goes back to the seller); dry run"
    send(getattr(platform.dvp, method), found.instruction.as_tuple(), sender=signer)
    return f"{found.hex_id} {ends.lower()}: {found.instruction.quantity} units back to the seller"
