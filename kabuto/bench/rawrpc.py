"""Many transactions to the benchmark's anvil, fast: JSON-RPC batches of `eth_sendTransaction`
from accounts anvil signs for (auto-impersonation), automine off, one `evm_mine` per full block.

Ape sends ~25-50 transactions a second (signing, estimating and waiting for each receipt in
Python); the throughput jobs send tens of thousands, so they talk to anvil directly. The
contracts, calldata and events are the real ones: only the client side is leaner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kabuto.bench.model import BenchError
from kabuto.chainread import (
    BYTES_PER_BATCH,
    REQUEST_OVERHEAD_BYTES,
    REQUESTS_PER_BATCH,
    ChainReader,
    Log,
    address_calldata,
    calldata,
    checksum_address,
)

__all__ = ["Log", "RawRpc", "Sent", "address_calldata", "calldata", "checksum_address"]


@dataclass(frozen=True)
class Sent:
    """What a burst of transactions took: how many, in which blocks, total gas used."""

    txs: int
    first_block: int
    last_block: int
    gas: int


class RawRpc(ChainReader):
    """A JSON-RPC client for one anvil node: the chain reader plus fast sending."""

    def send_all(self, txs: Iterable[dict[str, Any]], chunk: int = REQUESTS_PER_BATCH) -> Sent:
        """Sends every transaction (``from``, ``to``, ``data``, ``gas``) at gas price 0 and
        mines them in full blocks. Anvil signs for any sender (auto-impersonation)."""
        self.call("anvil_autoImpersonateAccount", True)
        self.call("evm_setAutomine", False)
        first = self.block_number() + 1
        block_gas = int(self.call("eth_getBlockByNumber", "latest", False)["gasLimit"], 16)
        in_block = in_bytes = 0
        count = 0
        txs = list(txs)
        nonces = self._nonces({tx["from"] for tx in txs})
        try:
            in_block_count = 0  # requests of the block being filled
            unsent: list[tuple[str, list[Any]]] = []  # of those, not yet posted
            for tx in txs:
                sender = tx["from"]
                request = {
                    **tx,
                    "gasPrice": "0x0",
                    "nonce": hex(nonces[sender]),
                    "gas": hex(tx["gas"]),
                }
                nonces[sender] += 1
                size = len(tx["data"]) + REQUEST_OVERHEAD_BYTES
                # anvil drops what does not fit the block it mines (by gas limit), so a block is
                # mined when the next transaction would not fit; its transactions go in HTTP
                # posts under anvil's request size limit
                if in_block_count and (in_block_count == chunk or in_block + tx["gas"] > block_gas):
                    self.batch(unsent)
                    count += self._mine(in_block_count)
                    unsent, in_block, in_bytes, in_block_count = [], 0, 0, 0
                elif unsent and in_bytes + size > BYTES_PER_BATCH:
                    self.batch(unsent)
                    unsent, in_bytes = [], 0
                unsent.append(("eth_sendTransaction", [request]))
                in_block += tx["gas"]
                in_bytes += size
                in_block_count += 1
            self.batch(unsent)
            count += self._mine(in_block_count)
        finally:
            self.call("evm_setAutomine", True)
        last = self.block_number()
        gas = 0
        mined = 0
        for start in range(first, last + 1, REQUESTS_PER_BATCH):
            blocks = self.batch(
                [
                    ("eth_getBlockByNumber", [hex(n), False])
                    for n in range(start, min(start + REQUESTS_PER_BATCH, last + 1))
                ]
            )
            gas += sum(int(b["gasUsed"], 16) for b in blocks)
            mined += sum(len(b["transactions"]) for b in blocks)
        if mined != count:
            raise BenchError(f"sent {count} transactions but blocks {first}-{last} hold {mined}")
        return Sent(count, first, last, gas)

    def _nonces(self, senders: set[str]) -> dict[str, int]:
        """Each sender's next nonce, read in batched requests (one request per sender would
        cost a round trip each: a million transfers from 100,000 wallets)."""
        ordered = sorted(senders)
        nonces: dict[str, int] = {}
        for start in range(0, len(ordered), REQUESTS_PER_BATCH):
            part = ordered[start : start + REQUESTS_PER_BATCH]
            answers = self.batch([("eth_getTransactionCount", [a, "latest"]) for a in part])
            nonces.update((a, int(n, 16)) for a, n in zip(part, answers, strict=True))
        return nonces

    def _mine(self, sent: int) -> int:
        """Mines until the pool is empty; ``sent`` (what was sent since the last block)."""
        if not sent:
            return 0
        # anvil may take a batch's requests out of order: later nonces wait in `queued` until
        # the gap before them is mined.
        for _ in range(sent + 1):
            status = self.call("txpool_status")
            if int(status["pending"], 16) + int(status["queued"], 16) == 0:
                return sent
            self.call("evm_mine")
        raise BenchError(
            f"transactions still waiting in anvil's pool after mining: {self.call('txpool_status')}"
        )
