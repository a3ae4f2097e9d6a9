"""Amounts, references and a fast refusal check shared by the yen coin tests."""

from typing import Any

import pytest
from eth_utils import to_hex
from hexbytes import HexBytes
from web3.exceptions import ContractCustomError

BANK_MINT_ALLOWANCE = 1_000_000_000  # yen the bank's minter may create in the fixture
ALICE_START = 1_000_000
BOB_START = 500_000
BANK_ACCOUNT_REF = b"MUFG-0001-1234567".ljust(
    32, b"\0"
)  # what the bank's system maps to an account
ZERO_ADDRESS = "0x" + "00" * 20


def refusal_or_none(contract: Any, method: str, *args: Any, sender: Any) -> Any:
    """The custom error `contract.method(*args)` reverts with for `sender`, or None if it succeeds.

    One eth_call decoded with the contract's ABI: for matrices of refusals (role separation),
    where `ape.reverts` on a transaction costs ~0.3 s per case (Ape traces every failed one).
    """
    data = getattr(contract, method).encode_input(*args)
    web3 = contract.provider.web3
    try:
        # "pending": the block a transaction sent now would land in (same timestamp rules).
        tx = {"from": sender.address, "to": contract.address, "data": to_hex(data)}
        web3.eth.call(tx, "pending")
    except ContractCustomError as err:
        raw = err.data if isinstance(err.data, str) else err.args[-1]
        ecosystem = contract.provider.network.ecosystem
        return ecosystem.decode_custom_error(HexBytes(raw), contract.address)
    return None


def refusal(contract: Any, method: str, *args: Any, sender: Any) -> Any:
    """Like `refusal_or_none`, but fails the test if the call succeeds."""
    error = refusal_or_none(contract, method, *args, sender=sender)
    if error is None:
        pytest.fail(f"{method}{args} by {sender.address} was expected to revert but succeeded")
    return error


def expect_refusal(
    contract: Any, method: str, *args: Any, sender: Any, error: Any, **inputs: Any
) -> None:
    """Asserts that `sender` calling `contract.method(*args)` reverts with the custom error
    `error` carrying (at least) `inputs` as evidence."""
    got = refusal(contract, method, *args, sender=sender)
    assert isinstance(got, error), f"{method}: expected {error.__name__}, got {got!r}"
    for name, value in inputs.items():
        assert got.inputs[name] == value, (
            f"{method}: {error.__name__}.{name} is {got.inputs[name]!r}"
        )
