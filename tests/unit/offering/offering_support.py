"""Refusals decoded from an eth_call, for errors raised by the offering or by a contract it calls."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import to_hex
from hexbytes import HexBytes
from web3.exceptions import ContractCustomError

# The offering tests' figures (imported by conftest.py and the tests: a test module never
# imports `conftest`, whose module name every test folder shares).
DAY = 24 * 3600
UNIT_PRICE = 100_000  # SBI's first ST bond: 100,000 yen per unit
YEN_PER_INVESTOR = 2_000_000
MAX_ALLOWANCE = 2**256 - 1


def refusal(contract: Any, method: str, *args: Any, sender: Any, raised_by: Any = None) -> Any:
    """The custom error `sender` calling `contract.method(*args)` reverts with, decoded with the ABI
    of `raised_by` (default: `contract`; the coin or the token when the refusal is theirs).

    An eth_call against the pending block: Ape traces every failed transaction (0.3-1 s each).
    """
    tx = {
        "from": sender.address,
        "to": contract.address,
        "data": to_hex(getattr(contract, method).encode_input(*args)),
    }
    try:
        contract.provider.web3.eth.call(tx, "pending")
    except ContractCustomError as err:
        raw = err.data if isinstance(err.data, str) else err.args[-1]
        return decode_error(raw, raised_by if raised_by is not None else contract)
    pytest.fail(f"{method}{args} by {sender.address} was expected to revert but succeeded")


def decode_error(raw: Any, raised_by: Any) -> Any:
    """Revert data (hex or bytes) decoded as a custom error of the contract `raised_by`."""
    return raised_by.provider.network.ecosystem.decode_custom_error(
        HexBytes(raw), raised_by.address
    )


def expect_refusal(
    contract: Any,
    method: str,
    *args: Any,
    sender: Any,
    error: str,
    raised_by: Any = None,
    **inputs: Any,
) -> Any:
    """Asserts the call reverts with the custom error named `error` carrying (at least) `inputs`."""
    got = refusal(contract, method, *args, sender=sender, raised_by=raised_by)
    assert type(got).__name__ == error, f"{method}: expected {error}, got {got!r}"
    for name, value in inputs.items():
        assert got.inputs[name] == value, (
            f"{method}: {error}.{name} is {got.inputs[name]!r}, expected {value!r}"
        )
    return got
