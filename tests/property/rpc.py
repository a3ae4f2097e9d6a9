"""A thin JSON-RPC driver for the property test: raw calls and transactions to the local anvil.

Ape's contract layer costs tens of milliseconds per call and prints a trace for every failed
transaction; a state machine making thousands of calls cannot afford either. This driver encodes
calls from the compiled ABIs (so a signature typo fails at once), batches the read-only calls of
an invariant check into one HTTP request, sends only transactions the model expects to succeed,
and checks predicted refusals with `eth_call` from the same sender, decoding the custom error.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import requests
from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

# Enough for any single Kabuto operation; given explicitly so no estimate is requested.
TX_GAS = 3_000_000


def _canonical(param: dict[str, Any]) -> str:
    """The ABI type of a parameter as it appears in a signature (tuples expanded)."""
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_canonical(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


@dataclass(frozen=True)
class Function:
    """One ABI function: its selector and how to encode its inputs and decode its outputs."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def selector(self) -> bytes:
        return keccak(text=f"{self.name}({','.join(self.inputs)})")[:4]

    def encode(self, *args: Any) -> bytes:
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.name} takes {len(self.inputs)} arguments, got {len(args)}")
        return self.selector + encode(list(self.inputs), list(args))

    def decode(self, data: bytes) -> Any:
        values = decode(list(self.outputs), data)
        return values[0] if len(values) == 1 else values


class Abi:
    """Functions and custom errors of one compiled contract, by name."""

    def __init__(self, abi: list[dict[str, Any]]) -> None:
        self._functions: dict[str, Function] = {}
        self._overloaded: set[str] = set()
        self.errors: dict[bytes, tuple[str, tuple[str, ...]]] = {}
        for item in abi:
            if item.get("type") == "function":
                inputs = tuple(_canonical(p) for p in item["inputs"])
                outputs = tuple(_canonical(p) for p in item.get("outputs", []))
                if item["name"] in self._functions:
                    self._overloaded.add(item["name"])
                self._functions[item["name"]] = Function(item["name"], inputs, outputs)
            elif item.get("type") == "error":
                types = tuple(_canonical(p) for p in item["inputs"])
                selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
                self.errors[selector] = (item["name"], types)

    @classmethod
    def of(cls, contract: Any) -> Abi:
        """The ABI of an Ape contract (instance or container)."""
        return cls(
            [item.model_dump(mode="json", by_alias=True) for item in contract.contract_type.abi]
        )

    def __getitem__(self, name: str) -> Function:
        if name in self._overloaded:
            raise KeyError(
                f"{name!r} is overloaded in this ABI: this driver encodes unique names only"
            )
        try:
            return self._functions[name]
        except KeyError:
            raise KeyError(f"no function {name!r} in this ABI") from None


@dataclass(frozen=True)
class Revert:
    """A decoded revert: the custom error's name and arguments (name '' when not decodable)."""

    name: str
    args: tuple[Any, ...]
    data: bytes


class RpcError(RuntimeError):
    """The node answered with an error that is not a revert."""


class Rpc:
    """JSON-RPC to one node over a kept-alive HTTP session."""

    def __init__(self, uri: str, errors: dict[bytes, tuple[str, tuple[str, ...]]]) -> None:
        self._uri = uri
        self._session = requests.Session()
        self._errors = errors
        self._next_id = 0
        self.calls = 0
        self.transactions = 0
        self._legacy_gas_price: str | None = None

    def request(self, method: str, params: list[Any]) -> Any:
        reply = self._post({"jsonrpc": "2.0", "id": self._id(), "method": method, "params": params})
        if "error" in reply:
            raise RpcError(f"{method}: {reply['error']}")
        return reply["result"]

    def batch(self, calls: list[tuple[str, bytes]], block: str = "latest") -> list[bytes]:
        """Many read-only calls `(to, data)` in one HTTP request; any revert is an error."""
        if not calls:
            return []
        payload = [
            {
                "jsonrpc": "2.0",
                "id": i,
                "method": "eth_call",
                "params": [{"to": to, "data": "0x" + data.hex()}, block],
            }
            for i, (to, data) in enumerate(calls)
        ]
        self.calls += len(calls)
        replies = sorted(self._post(payload), key=lambda r: r["id"])
        out = []
        for (to, data), reply in zip(calls, replies, strict=True):
            if "error" in reply:
                raise RpcError(
                    f"eth_call to {to} (selector {data[:4].hex()}) failed: {reply['error']}"
                )
            out.append(bytes.fromhex(reply["result"][2:]))
        return out

    def call(self, sender: str, to: str, data: bytes) -> bytes | Revert:
        """`eth_call` from `sender` at the pending state: the return data, or the decoded revert."""
        self.calls += 1
        reply = self._post(
            {
                "jsonrpc": "2.0",
                "id": self._id(),
                "method": "eth_call",
                "params": [
                    {"from": sender, "to": to, "data": "0x" + data.hex(), "gas": hex(TX_GAS)},
                    "latest",
                ],
            }
        )
        if "error" not in reply:
            return bytes.fromhex(reply["result"][2:])
        raw = reply["error"].get("data")
        if not isinstance(raw, str) or not raw.startswith("0x"):
            raise RpcError(f"eth_call failed without revert data: {reply['error']}")
        return self.decode_revert(bytes.fromhex(raw[2:]))

    def decode_revert(self, data: bytes) -> Revert:
        known = self._errors.get(data[:4])
        if known is None:
            return Revert("", (), data)
        name, types = known
        return Revert(name, tuple(decode(list(types), data[4:])), data)

    def send(self, sender: str, to: str, data: bytes) -> dict[str, Any]:
        """Sends a transaction from an unlocked dev account and returns its receipt (mined at once)."""
        self.transactions += 1
        tx: dict[str, str] = {
            "from": sender,
            "to": to,
            "data": "0x" + data.hex(),
            "gas": hex(TX_GAS),
        }
        if os.environ.get("KABUTO_TX_TYPE") == "0":
            # Before london (KABUTO_EVM_VERSION=berlin) only legacy transactions exist: a gas
            # price makes the node fill no EIP-1559 fee fields.
            tx["gasPrice"] = self._gas_price()
        tx_hash = self.request("eth_sendTransaction", [tx])
        # Anvil mines each transaction at once but may answer before the receipt is stored.
        for _ in range(500):
            receipt = self.request("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return receipt
            time.sleep(0.002)
        raise RpcError(f"transaction {tx_hash} was not mined within a second (is automine off?)")

    def _gas_price(self) -> str:
        if self._legacy_gas_price is None:
            self._legacy_gas_price = self.request("eth_gasPrice", [])
        return self._legacy_gas_price

    def timestamp(self) -> int:
        return int(self.request("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def advance(self, seconds: int) -> None:
        self.request("evm_increaseTime", [seconds])
        self.request("evm_mine", [])

    def snapshot(self) -> str:
        return self.request("evm_snapshot", [])

    def revert_to(self, snapshot_id: str) -> None:
        if not self.request("evm_revert", [snapshot_id]):
            raise RpcError(f"evm_revert({snapshot_id}) refused: the snapshot is gone")

    def _post(self, payload: Any) -> Any:
        response = self._session.post(self._uri, json=payload, timeout=60)
        response.raise_for_status()
        return response.json()

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id


def address(value: Any) -> str:
    return to_checksum_address(str(value))
