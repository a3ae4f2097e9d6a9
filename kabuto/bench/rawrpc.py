"""Many transactions to the benchmark's anvil, fast: JSON-RPC batches of `eth_sendTransaction`
from accounts anvil signs for (auto-impersonation), or of `eth_sendRawTransaction` signed here
for the bench's own wallets (kabuto.bench.signing), automine off, one `evm_mine` per full block.

Ape sends ~25-50 transactions a second (signing, estimating and waiting for each receipt in
Python); the throughput jobs send tens of thousands, so they talk to anvil directly. The
contracts, calldata and events are the real ones: only the client side is leaner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kabuto.bench.model import BenchError
from kabuto.bench.signing import Wallet, sign_call
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

    def send_all(
        self,
        txs: Iterable[dict[str, Any]],
        chunk: int = REQUESTS_PER_BATCH,
        signers: Mapping[str, Wallet] | None = None,
    ) -> Sent:
        """Sends every transaction (``from``, ``to``, ``data``, ``gas``) at gas price 0 and
        mines them in full blocks of at most ``chunk``. A sender in ``signers`` signs its own
        (``eth_sendRawTransaction``: anvil then takes the nonce from it instead of walking its
        pool for the sender's pending nonce, which makes filling a block quadratic); anvil signs
        for any other (auto-impersonation)."""
        self.call("anvil_autoImpersonateAccount", True)
        signers = signers or {}
        chain_id = int(self.call("eth_chainId"), 16) if signers else 0
        self.call("evm_setAutomine", False)
        first = self.block_number() + 1
        block_gas = int(self.call("eth_getBlockByNumber", "latest", False)["gasLimit"], 16)
        in_block = in_bytes = 0
        txs = list(txs)
        nonces = self._nonces({tx["from"] for tx in txs})
        # One worker posts the bodies and mines the blocks, in order, while this thread builds
        # (and signs) the next ones: the node's work and Python's overlap.
        node = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kabuto-rawrpc")
        posted: list[Future[Any]] = []
        mined: list[Future[int]] = []
        try:
            in_block_count = 0  # requests of the block being filled
            unsent: list[tuple[str, list[Any]]] = []  # of those, not yet posted
            for tx in txs:
                sender = tx["from"]
                signer = signers.get(sender)
                if signer is None:
                    method = "eth_sendTransaction"
                    request: Any = {
                        **tx,
                        "gasPrice": "0x0",
                        "nonce": hex(nonces[sender]),
                        "gas": hex(tx["gas"]),
                    }
                    size = len(tx["data"]) + REQUEST_OVERHEAD_BYTES
                else:
                    method = "eth_sendRawTransaction"
                    raw = sign_call(
                        signer,
                        nonce=nonces[sender],
                        gas=tx["gas"],
                        to=tx["to"],
                        data=bytes.fromhex(tx["data"][2:]),
                        chain_id=chain_id,
                    )
                    request = "0x" + raw.hex()
                    size = len(request) + REQUEST_OVERHEAD_BYTES
                nonces[sender] += 1
                # anvil drops what does not fit the block it mines (by gas limit), so a block is
                # mined when the next transaction would not fit; its transactions go in HTTP
                # posts under anvil's request size limit
                if in_block_count and (in_block_count == chunk or in_block + tx["gas"] > block_gas):
                    posted.append(node.submit(self.batch, unsent))
                    mined.append(node.submit(self._mine, in_block_count))
                    unsent, in_block, in_bytes, in_block_count = [], 0, 0, 0
                elif unsent and in_bytes + size > BYTES_PER_BATCH:
                    posted.append(node.submit(self.batch, unsent))
                    unsent, in_bytes = [], 0
                unsent.append((method, [request]))
                in_block += tx["gas"]
                in_bytes += size
                in_block_count += 1
            posted.append(node.submit(self.batch, unsent))
            mined.append(node.submit(self._mine, in_block_count))
            for future in posted:
                future.result()  # a refused transaction raises here
            count = sum(future.result() for future in mined)
        finally:
            node.shutdown(wait=True, cancel_futures=True)
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
