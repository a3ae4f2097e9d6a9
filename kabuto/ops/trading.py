"""What investors and the trust bank do around the operators' jobs: yen coin funding,
transfers checked with ERC-1404 first, transfer applications, bilateral DvP instructions,
standing locks and allowances for a venue. The demo and the tests use these."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ape import chain
from eth_utils import keccak

from kabuto.errors import ChainStateError
from kabuto.onchain_types import Restriction
from kabuto.ops.chain import Platform, send


@dataclass(frozen=True)
class Refusal:
    code: int
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} ({self.name}, ERC-1404 code {self.code})"


def restriction(token: Any, sender: str, recipient: str, value: int) -> Refusal | None:
    """The token's ERC-1404 verdict on a transfer, None when allowed."""
    code = int(token.detectTransferRestriction(sender, recipient, value))
    if code == 0:
        return None
    return Refusal(code, Restriction(code).name, str(token.messageForTransferRestriction(code)))


def mint_yen(platform: Platform, trust_bank: Any, amounts: dict[str, int]) -> int:
    """The trust bank mints yen coin to each wallet (deposits received off-chain)."""
    for wallet, amount in amounts.items():
        send(platform.yen.mint, wallet, amount, sender=trust_bank)
    return sum(amounts.values())


def checked_transfer(token: Any, holder: Any, recipient: str, value: int) -> Refusal | None:
    """Transfers only when the token's pre-transfer check allows it; returns the refusal
    (nothing sent) otherwise."""
    refusal = restriction(token, str(holder.address), recipient, value)
    if refusal is None:
        send(token.transfer, recipient, value, sender=holder)
    return refusal


def apply_for_transfer(token: Any, holder: Any, recipient: str, value: int, note: str = "") -> int:
    """A transfer application (approval-required tokens); returns its id."""
    send(token.applyForTransfer, recipient, value, note.encode(), sender=holder)
    return int(token.applicationCount()) - 1


def require_transferable(token: Any, sender: str, recipient: str, value: int, what: str) -> None:
    """Raises unless the token's ERC-1404 check allows the transfer or asks only for the
    issuer's approval (a transfer application or an approved DvP: a step of the settlement).

    Raises:
        ChainStateError: `what` and the token's refusal; nothing was sent.
    """
    refusal = restriction(token, sender, recipient, value)
    if refusal is not None and refusal.code != Restriction.APPROVAL_REQUIRED:
        raise ChainStateError(f"{what}: {refusal}; nothing sent")


def check_dvp_instruction(token: Any, seller: str, buyer: str, quantity: int) -> None:
    """What the token says of a DvP instruction before anything is sent: its verdict on the
    delivery, and that it notifies the DvP contract of the lock (onTokensLocked) that
    carries the instruction. The real instruction and its dry run both check this.

    Raises:
        ChainStateError: the token would refuse the delivery or cannot carry the instruction.
    """
    require_transferable(token, seller, buyer, quantity, "the token would refuse this delivery")
    selector = keccak(text="onTokensLocked(address,uint256,bytes)")[:4]
    if selector not in bytes(chain.provider.get_code(token.address)):
        raise ChainStateError(
            f"{token.symbol()} does not notify a lock address of locks "
            "(onTokensLocked), so a lock cannot carry a DvP instruction; "
            "nothing was sent"
        )


OPEN = 1  # ISettlement.Status.Open


@dataclass(frozen=True)
class DvpInstruction:
    token: str
    seller: str
    buyer: str
    quantity: int
    amount: int
    expiry: int
    salt: bytes

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.token,
            self.seller,
            self.buyer,
            self.quantity,
            self.amount,
            self.expiry,
            self.salt,
        )


def instruct_dvp(
    platform: Platform,
    token: Any,
    seller: Any,
    buyer: str,
    quantity: int,
    amount: int,
    valid_seconds: int = 3 * 24 * 3600,
    salt: bytes | None = None,
) -> DvpInstruction:
    """The seller locks `quantity` to the DvP contract; the lock carries the instruction
    (a random salt unless given)."""
    check_dvp_instruction(token, str(seller.address), buyer, quantity)
    expiry = chain.pending_timestamp + valid_seconds
    salt = os.urandom(32) if salt is None else salt
    dvp = platform.dvp
    data = dvp.encodeInstruction(buyer, amount, expiry, salt)
    instruction = DvpInstruction(
        str(token.address), str(seller.address), buyer, quantity, amount, expiry, salt
    )
    send(token.lock, dvp, quantity, data, sender=seller)
    if int(dvp.statusOf(dvp.instructionId(instruction.as_tuple()))) != OPEN:
        raise ChainStateError(
            "the lock did not open a DvP instruction: this token build does "
            "not notify the settlement contract of locks (onTokensLocked)"
        )
    return instruction


def accept_dvp(platform: Platform, instruction: DvpInstruction, buyer: Any) -> Any:
    """The buyer allows the yen and accepts: both legs move in one transaction."""
    yen, dvp = platform.yen, platform.dvp
    if int(yen.allowance(buyer, dvp)) < instruction.amount:
        send(yen.approve, dvp, instruction.amount, sender=buyer)
    return send(dvp.accept, instruction.as_tuple(), sender=buyer)


def prepare_venue_trade(platform: Platform, token: Any, seller: Any, quantity: int) -> None:
    """A seller's standing lock of `quantity` units to the venue's batch settlement."""
    send(token.lock, platform.batch, quantity, b"", sender=seller)


def allow_venue_payment(platform: Platform, buyer: Any, amount: int) -> None:
    """A buyer's standing yen allowance to the venue's batch settlement."""
    send(platform.yen.approve, platform.batch, amount, sender=buyer)
