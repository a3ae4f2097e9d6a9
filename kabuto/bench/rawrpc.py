"""Many transactions to the benchmark's anvil, fast: JSON-RPC batches of `eth_sendTransaction`
from accounts anvil signs for (auto-impersonation), automine off, one `evm_mine` per full block.

Ape sends ~25-50 transactions a second (signing, estimating and waiting for each receipt in
Python); the throughput jobs send tens of thousands, so they talk to anvil directly. The
contracts, calldata and events are the real ones: only the client side is leaner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from eth_abi import encode
from eth_utils import keccak

from kabuto.bench.model import BenchError

REQUESTS_PER_BATCH = 1_000


def calldata(signature: str, types: Sequence[str], args: Sequence[Any]) -> str:
    """ABI-encoded call of ``signature`` (e.g. ``transfer(address,uint256)``)."""
    return "0x" + (keccak(text=signature)[:4] + encode(list(types), list(args))).hex()


@dataclass(frozen=True)
class Sent:
    """What a burst of transactions took: how many, in which blocks, total gas used."""

    txs: int
    first_block: int
    last_block: int
    gas: int


class RawRpc:
    """A JSON-RPC client for one anvil node."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._session = requests.Session()
        self._id = 0

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Sends ``(method, params)`` calls in one HTTP request; results in order."""
        if not calls:
            return []
        payload = []
        for method, params in calls:
            self._id += 1
            payload.append({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params})
        response = self._session.post(self.url, json=payload, timeout=600)
        response.raise_for_status()
        answers = sorted(response.json(), key=lambda a: a["id"])
        errors = [a["error"] for a in answers if "error" in a]
        if errors:
            raise BenchError(f"{len(errors)} of {len(calls)} {calls[0][0]} calls failed, first: {errors[0]}")
        return [a["result"] for a in answers]

    def call(self, method: str, *params: Any) -> Any:
        return self.batch([(method, list(params))])[0]

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def eth_call(self, calls: Sequence[tuple[str, str]], block: int) -> list[bytes]:
        """``(to, data)`` read calls at ``block``, batched; raw return data."""
        results: list[bytes] = []
        tag = hex(block)
        for start in range(0, len(calls), REQUESTS_PER_BATCH):
            chunk = calls[start:start + REQUESTS_PER_BATCH]
            results += [bytes.fromhex(r[2:]) for r in
                        self.batch([("eth_call", [{"to": to, "data": data}, tag]) for to, data in chunk])]
        return results

    def logs(self, address: str, topic0: bytes, from_block: int, to_block: int, step: int = 25) -> list[dict[str, Any]]:
        """Every log of ``address`` with ``topic0`` in the range, in chain order, in block chunks."""
        found: list[dict[str, Any]] = []
        for start in range(from_block, to_block + 1, step):
            end = min(start + step - 1, to_block)
            found += self.call("eth_getLogs", {"address": address, "topics": ["0x" + topic0.hex()],
                                               "fromBlock": hex(start), "toBlock": hex(end)})
        return found

    def send_all(self, txs: Iterable[dict[str, Any]], chunk: int = REQUESTS_PER_BATCH) -> Sent:
        """Sends every transaction (``from``, ``to``, ``data``, ``gas``) at gas price 0 and
        mines them in full blocks. Anvil signs for any sender (auto-impersonation)."""
        self.call("anvil_autoImpersonateAccount", True)
        self.call("evm_setAutomine", False)
        first = self.block_number() + 1
        block_gas = int(self.call("eth_getBlockByNumber", "latest", False)["gasLimit"], 16)
        in_block = 0
        count = 0
        nonces: dict[str, int] = {}
        try:
            pending: list[tuple[str, list[Any]]] = []
            for tx in txs:
                sender = tx["from"]
                if sender not in nonces:
                    nonces[sender] = int(self.call("eth_getTransactionCount", sender, "latest"), 16)
                request = {**tx, "gasPrice": "0x0", "nonce": hex(nonces[sender]), "gas": hex(tx["gas"])}
                nonces[sender] += 1
                # anvil drops what does not fit the block it mines (by gas limit), so every
                # burst is one block's worth
                if pending and (len(pending) == chunk or in_block + tx["gas"] > block_gas):
                    count += self._send_and_mine(pending)
                    pending, in_block = [], 0
                pending.append(("eth_sendTransaction", [request]))
                in_block += tx["gas"]
            count += self._send_and_mine(pending)
        finally:
            self.call("evm_setAutomine", True)
        last = self.block_number()
        gas = 0
        mined = 0
        for start in range(first, last + 1, REQUESTS_PER_BATCH):
            blocks = self.batch([("eth_getBlockByNumber", [hex(n), False])
                                 for n in range(start, min(start + REQUESTS_PER_BATCH, last + 1))])
            gas += sum(int(b["gasUsed"], 16) for b in blocks)
            mined += sum(len(b["transactions"]) for b in blocks)
        if mined != count:
            raise BenchError(f"sent {count} transactions but blocks {first}-{last} hold {mined}")
        return Sent(count, first, last, gas)

    def _send_and_mine(self, requests_: list[tuple[str, list[Any]]]) -> int:
        if not requests_:
            return 0
        self.batch(requests_)
        # anvil may take a batch's requests out of order: later nonces wait in `queued` until
        # the gap before them is mined.
        for _ in range(len(requests_) + 1):
            status = self.call("txpool_status")
            if int(status["pending"], 16) + int(status["queued"], 16) == 0:
                return len(requests_)
            self.call("evm_mine")
        raise BenchError(f"transactions still waiting in anvil's pool after mining: {self.call('txpool_status')}")
