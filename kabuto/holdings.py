"""Many wallets' investor id, balance and tax status in few calls: the never-deployed
HoldingsReader contract (contracts/reading/HoldingsReader.sol) run by `eth_call` with its
creation code, MAX_WALLETS wallets a call. A register of 100,000 holders reads in 400 calls
instead of 300,000 single reads (one `investorIdOf`, `balanceOf` and `taxStatusOf` each), which
cost the node and this process a JSON-RPC round trip apiece.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_abi import encode

from kabuto.chainread import ChainReader
from kabuto.domain import investor_id_from_bytes32
from kabuto.errors import ChainReadError

MAX_WALLETS = 250  # HoldingsReader.MAX_WALLETS: its answer stays under the code size limit
_WORDS = 3
_ZERO32 = b"\x00" * 32


@dataclass(frozen=True)
class Holding:
    """One wallet's facts at the block read: investor id ("" if none), units, tax status code
    (0 without an investor)."""

    investor_id: str
    units: int
    tax_status: int


def read_holdings_batched(
    reader: ChainReader,
    creation_code: str,
    registry: str,
    token: str,
    wallets: Sequence[str],
    block: int,
    record_index: int | None = None,
) -> dict[str, Holding]:
    """Every wallet's holding at `block` (balances at the token's record-date snapshot
    `record_index` if given), by HoldingsReader calls of MAX_WALLETS wallets.

    Raises:
        ChainReadError: the node refused a call or answered in another shape.
    """
    code = creation_code if creation_code.startswith("0x") else "0x" + creation_code
    parts = [list(wallets[i : i + MAX_WALLETS]) for i in range(0, len(wallets), MAX_WALLETS)]
    calls: list[tuple[str | None, str]] = [
        (
            None,
            code
            + encode(
                ["address", "address", "address[]", "bool", "uint256"],
                [registry, token, part, record_index is not None, record_index or 0],
            ).hex(),
        )
        for part in parts
    ]
    found: dict[str, Holding] = {}
    for part, answer in zip(parts, reader.eth_call(calls, block), strict=True):
        if len(answer) != 1 + 32 * _WORDS * len(part):
            raise ChainReadError(
                f"HoldingsReader answered {len(answer)} bytes for {len(part)} wallets: the node "
                "does not run creation code in eth_call as expected"
            )
        for index, wallet in enumerate(part):
            at = 1 + 32 * _WORDS * index
            raw_id = answer[at : at + 32]
            found[wallet] = Holding(
                investor_id_from_bytes32(raw_id) if raw_id != _ZERO32 else "",
                int.from_bytes(answer[at + 32 : at + 64], "big"),
                int.from_bytes(answer[at + 64 : at + 96], "big"),
            )
    return found
