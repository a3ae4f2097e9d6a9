"""What the indexer reads from the node: logs of many addresses over a block range (with
their position and transaction), block headers, the chain's identity. JSON-RPC over HTTP
through kabuto.chainread's client; answers decoded by msgspec."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec

from kabuto.chainread import ChainReader
from kabuto.errors import ChainReadError

BLOCKS_PER_REQUEST = 2_000


class FullLog(msgspec.Struct):
    address: str
    blockNumber: str
    logIndex: str
    transactionHash: str
    topics: list[str]
    data: str
    removed: bool = False


class _LogsAnswer(msgspec.Struct):
    id: int
    result: list[FullLog] | None = None
    error: Any = None


class _Header(msgspec.Struct):
    number: str
    hash: str
    timestamp: str


class _HeaderAnswer(msgspec.Struct):
    id: int
    result: _Header | None = None
    error: Any = None


_decode_logs = msgspec.json.Decoder(list[_LogsAnswer])
_decode_headers = msgspec.json.Decoder(list[_HeaderAnswer])


class IndexReader:
    def __init__(self, url: str) -> None:
        self.url = url
        self.rpc = ChainReader(url)

    def chain_id(self) -> int:
        return int(self.rpc.call("eth_chainId"), 16)

    def head(self) -> int:
        return self.rpc.block_number()

    def headers(self, numbers: Sequence[int]) -> dict[int, tuple[str, int]]:
        """block number -> (hash, timestamp), in batches of 1,000."""
        found: dict[int, tuple[str, int]] = {}
        numbers = list(numbers)
        for start in range(0, len(numbers), 1_000):
            calls = [
                ("eth_getBlockByNumber", [hex(n), False]) for n in numbers[start : start + 1_000]
            ]
            answers = sorted(_decode_headers.decode(self.rpc._post(calls)), key=lambda a: a.id)
            for answer in answers:
                if answer.error is not None or answer.result is None:
                    raise ChainReadError(f"eth_getBlockByNumber failed: {answer.error}")
                header = answer.result
                found[int(header.number, 16)] = (header.hash, int(header.timestamp, 16))
        return found

    def eth_call_many(self, calls: Sequence[tuple[str, str]], block: int) -> list[bytes]:
        """``(to, data)`` read calls at `block`, batched; raw return data in order."""
        return self.rpc.eth_call(calls, block)

    def logs(self, addresses: Sequence[str], first: int, last: int) -> list[FullLog]:
        """Every log of `addresses` in blocks first..last, in chain order."""
        if not addresses or last < first:
            return []
        requests = [
            [
                (
                    "eth_getLogs",
                    [
                        {
                            "address": list(addresses),
                            "fromBlock": hex(start),
                            "toBlock": hex(min(start + BLOCKS_PER_REQUEST - 1, last)),
                        }
                    ],
                )
            ]
            for start in range(first, last + 1, BLOCKS_PER_REQUEST)
        ]
        found: list[FullLog] = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            for raw in pool.map(self.rpc._post, requests):
                answer = _decode_logs.decode(raw)[0]
                if answer.error is not None or answer.result is None:
                    raise ChainReadError(f"eth_getLogs failed: {answer.error}")
                found += answer.result
        found.sort(key=lambda log: (int(log.blockNumber, 16), int(log.logIndex, 16)))
        return found
