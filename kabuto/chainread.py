"""Reading a lot from a node fast: JSON-RPC batches of eth_call, eth_getLogs in block chunks,
two requests in flight (the node works on the next while Python decodes the last), answers
decoded by msgspec (logs into typed structs: only the fields used are parsed).

Both the operator's register export (kabuto.ops.export) and the benchmark (kabuto.bench) read
the chain through this; Ape decodes each log and sends one request per call, which takes
minutes for a register of 10,000 holders.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import msgspec
import requests
from eth_abi import encode
from eth_utils import keccak
from sha3 import keccak_256  # safe-pysha3: C keccak, ~10x pycryptodome's per short input

from kabuto.errors import ChainReadError

REQUESTS_PER_BATCH = 1_000
BYTES_PER_BATCH = 1_500_000  # anvil refuses a request body over 2 MiB ("Invalid request")
REQUEST_OVERHEAD_BYTES = 256  # one call's JSON-RPC envelope beside its data (counted in a batch)
LOGS_PER_REQUEST = 20_000  # eth_getLogs answers of ~10 MB: bounded memory on both sides
IN_FLIGHT = 2  # requests anvil works on while Python decodes the previous answer


@lru_cache(maxsize=64)
def selector(signature: str) -> str:
    """The 4-byte function selector of ``signature``, as hex without 0x."""
    return keccak(text=signature)[:4].hex()


def calldata(signature: str, types: Sequence[str], args: Sequence[Any]) -> str:
    """ABI-encoded call of ``signature`` (e.g. ``transfer(address,uint256)``)."""
    return "0x" + selector(signature) + encode(list(types), list(args)).hex()


def address_calldata(signature: str, address: str) -> str:
    """``calldata(signature, ["address"], [address])`` without the general encoder (an address
    argument is its 20 bytes left-padded to a word): the register reads call once per holder."""
    if len(address) != 42 or not address.startswith("0x"):
        raise ChainReadError(f"not a 0x-prefixed 20-byte address: {address!r}")
    return "0x" + selector(signature) + "0" * 24 + address[2:].lower()


def checksum_address(hex40: str) -> str:
    """EIP-55 form of a 40-digit hex address (a log topic's last 40 digits); the same as
    eth_utils.to_checksum_address, without its layers of validation (~2x faster)."""
    lower = hex40.lower()
    digest = keccak_256(lower.encode()).hexdigest()
    return "0x" + "".join(
        c.upper() if d >= "8" else c for c, d in zip(lower, digest[:40], strict=True)
    )


class Log(msgspec.Struct):
    """The parts of an eth_getLogs entry the register needs (the rest is skipped unparsed)."""

    blockNumber: str
    topics: list[str]
    data: str


class _LogsAnswer(msgspec.Struct):
    id: int
    result: list[Log] | None = None
    error: Any = None


_decode_any = msgspec.json.Decoder()
_decode_logs = msgspec.json.Decoder(list[_LogsAnswer])


class ChainReader:
    """A JSON-RPC client for one node (HTTP), safe to use from several threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()  # one HTTP session per thread

    def _post(self, calls: Sequence[tuple[str, list[Any]]]) -> bytes:
        """One HTTP request with the calls (ids 0..n-1: they order the answers); thread-safe."""
        payload = [
            {"jsonrpc": "2.0", "id": i, "method": method, "params": params}
            for i, (method, params) in enumerate(calls)
        ]
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        response = session.post(
            self.url,
            data=msgspec.json.encode(payload),
            timeout=600,
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        return response.content

    @staticmethod
    def _results(calls: Sequence[tuple[str, list[Any]]], answers: list[Any]) -> list[Any]:
        def field(answer: Any, name: str) -> Any:
            return answer.get(name) if isinstance(answer, dict) else getattr(answer, name)

        if not isinstance(answers, list):
            raise ChainReadError(
                f"the node refused a batch of {len(calls)} {calls[0][0]} calls: {answers}"
            )
        answers = sorted(answers, key=lambda a: field(a, "id"))
        errors = [field(a, "error") for a in answers if field(a, "error") is not None]
        if errors:
            raise ChainReadError(
                f"{len(errors)} of {len(calls)} {calls[0][0]} calls failed, first: {errors[0]}"
            )
        return [field(a, "result") for a in answers]

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Sends ``(method, params)`` calls in one HTTP request; results in order."""
        if not calls:
            return []
        return self._results(calls, _decode_any.decode(self._post(calls)))

    def call(self, method: str, *params: Any) -> Any:
        return self.batch([(method, list(params))])[0]

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def eth_call(self, calls: Sequence[tuple[str | None, str]], block: int) -> list[bytes]:
        """``(to, data)`` read calls at ``block``, batched (IN_FLIGHT batches at a time); raw
        return data in order. ``to`` None runs ``data`` as creation code (a contract that is
        never deployed returns what its constructor returns)."""
        tag = hex(block)
        chunks: list[list[tuple[str, list[Any]]]] = [[]]
        size = 0
        for to, data in calls:
            if chunks[-1] and (
                len(chunks[-1]) == REQUESTS_PER_BATCH or size + len(data) > BYTES_PER_BATCH
            ):
                chunks.append([])
                size = 0
            chunks[-1].append(
                ("eth_call", [{"to": to, "data": data} if to else {"data": data}, tag])
            )
            size += len(data) + REQUEST_OVERHEAD_BYTES
        chunks = [c for c in chunks if c]
        results: list[bytes] = []
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            for chunk, raw in zip(chunks, pool.map(self._post, chunks), strict=True):
                results += [
                    bytes.fromhex(r[2:]) for r in self._results(chunk, _decode_any.decode(raw))
                ]
        return results

    def logs(
        self, address: str, topic0: bytes, from_block: int, to_block: int, step: int = 25
    ) -> list[Log]:
        """Every log of ``address`` with ``topic0`` in the range, in chain order, in block
        chunks (IN_FLIGHT requests at a time)."""
        requests_ = [
            [
                (
                    "eth_getLogs",
                    [
                        {
                            "address": address,
                            "topics": ["0x" + topic0.hex()],
                            "fromBlock": hex(start),
                            "toBlock": hex(min(start + step - 1, to_block)),
                        }
                    ],
                )
            ]
            for start in range(from_block, to_block + 1, step)
        ]
        found: list[Log] = []
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            for request, raw in zip(requests_, pool.map(self._post, requests_), strict=True):
                found += self._results(request, _decode_logs.decode(raw))[0]
        return found

    def logs_sized(
        self,
        address: str,
        topic0: bytes,
        from_block: int,
        to_block: int,
        per_request: int = LOGS_PER_REQUEST,
    ) -> list[Log]:
        """Every log of ``address`` with ``topic0`` in the range, in chain order, in requests of
        about ``per_request`` logs whatever the chain's block density: each request's block span
        is set from the density the previous one found (from one block, at most x8 a step, x2
        after an empty answer), and the next request is in flight while one is decoded. A chain
        of full blocks (10,000 transfers each) and one of a transaction a block are both read in
        even requests: the node's answer, and this process's memory, stay bounded. The first
        request spans one block: nothing is known of the density yet. (Widening x8 over the
        empty blocks before a bench token's first issue, the third request held 550,000 logs:
        most of the export's 1.9 GB peak at 100,000 holders.)"""
        found: list[Log] = []
        step, start = 1, from_block

        def request(first: int, span: int) -> tuple[int, int, Future[bytes]]:
            last = min(first + span - 1, to_block)
            call = [
                (
                    "eth_getLogs",
                    [
                        {
                            "address": address,
                            "topics": ["0x" + topic0.hex()],
                            "fromBlock": hex(first),
                            "toBlock": hex(last),
                        }
                    ],
                )
            ]
            return first, last, pool.submit(self._post, call)

        with ThreadPoolExecutor(max_workers=2) as pool:
            pending = request(start, step) if start <= to_block else None
            while pending is not None:
                first, last, answer = pending
                ahead = request(last + 1, step) if last < to_block else None
                logs = self._results([("eth_getLogs", [])], _decode_logs.decode(answer.result()))[0]
                found += logs
                span = last - first + 1
                # an empty answer says nothing of what comes next: widen slowly (x2), or the
                # first dense stretch after an empty one lands in a single answer
                wanted = span * per_request // len(logs) if logs else span * 2
                step = max(1, min(wanted, step * 8))
                pending = ahead
        return found
