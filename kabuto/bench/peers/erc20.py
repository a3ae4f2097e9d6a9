"""The floor: a plain OpenZeppelin ERC-20 (contracts/testing/PlainERC20.sol), compiled here."""

from __future__ import annotations

from kabuto.bench.context import BenchContext, expect, gas_of
from kabuto.bench.model import Outcome
from kabuto.bench.registry import Peer

SUPPLY = 10**24
AMOUNT = 100

KEYS = ("erc20.transfer.new_holder", "erc20.transfer.existing_holder")


def measure(ctx: BenchContext) -> list[Outcome]:
    """Transfers from the deployer to an address that holds nothing, then to it again."""
    holder = ctx.role(0)
    token = ctx.project.PlainERC20.deploy("Plain", "PLN", SUPPLY, sender=holder)
    recipient = ctx.new_address()
    expect(token.balanceOf(recipient) == 0, "the new-holder recipient already holds PlainERC20")

    first = token.transfer(recipient, AMOUNT, sender=holder)
    second = token.transfer(recipient, AMOUNT, sender=holder)
    expect(token.balanceOf(recipient) == 2 * AMOUNT, "PlainERC20 transfers did not arrive")
    return [
        gas_of("erc20.transfer.new_holder", [first]),
        gas_of("erc20.transfer.existing_holder", [second]),
    ]


PEER = Peer(name="erc20", title="plain OZ ERC-20", keys=KEYS, measure=measure)
