"""The access-control matrix, built from the ABIs of the deployed contracts.

Every state-changing function of every contract is called (as an ``eth_call``, nothing is
mined) by an account that holds no role. It must be refused with an authorisation error unless
``open_functions.json`` lists it as open to anyone, with the reason. A function added later
without that decision makes the matrix fail: it is neither listed nor refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, to_hex

OPEN_FUNCTIONS_FILE = Path(__file__).with_name("open_functions.json")


def abi_type(entry: dict[str, Any]) -> str:
    """The canonical ABI type of an input, tuples expanded."""
    kind: str = entry["type"]
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in entry["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def signature(fn: dict[str, Any]) -> str:
    return f"{fn['name']}({','.join(abi_type(i) for i in fn['inputs'])})"


def sample_value(kind: str, caller: str) -> Any:
    """A well-formed argument: `caller` for every address (the caller's own address, or in the
    foreign-contract matrix the foreign contract's), small non-zero numbers, one-element arrays.

    Using the caller's address and non-zero amounts means a function is refused for who calls
    it, not for an obviously empty argument.
    """
    if kind.endswith("]"):
        base = kind[: kind.rindex("[")]
        size = kind[kind.rindex("[") + 1 : -1]
        return [sample_value(base, caller) for _ in range(int(size) if size else 1)]
    if kind.startswith("("):
        parts, depth, current = [], 0, ""
        for ch in kind[1:-1]:
            if ch == "," and depth == 0:
                parts.append(current)
                current = ""
                continue
            depth += ch == "("
            depth -= ch == ")"
            current += ch
        parts.append(current)
        return tuple(sample_value(p, caller) for p in parts if p)
    if kind == "address":
        return caller
    if kind == "bool":
        return True
    if kind.startswith(("uint", "int")):
        return 1
    if kind == "bytes":
        return b"\x01"
    if kind.startswith("bytes"):
        return b"\x01" * int(kind[5:])
    if kind == "string":
        return "x"
    raise ValueError(f"no sample for ABI type {kind}")


@dataclass(frozen=True)
class Cell:
    contract: str
    function: str
    outcome: str  # "open", "refused" or a failure description

    @property
    def ok(self) -> bool:
        return self.outcome in ("open", "refused")


def load_open_functions() -> dict[str, dict[str, str]]:
    data = json.loads(OPEN_FUNCTIONS_FILE.read_text())
    return {name: entries for name, entries in data.items() if not name.startswith("_")}


def error_selectors(abi: list[dict[str, Any]], refusal_names: set[str]) -> dict[str, str]:
    selectors = {}
    for entry in abi:
        if entry["type"] == "error" and entry["name"] in refusal_names:
            selectors[to_hex(function_signature_to_4byte_selector(signature(entry)))] = entry[
                "name"
            ]
    return selectors


def revert_data(web3: Any, tx: dict[str, Any]) -> str | None:
    """The revert data of an eth_call, or None when the call succeeds."""
    try:
        web3.eth.call(tx)
    except Exception as exc:  # web3 raises ContractLogicError / ContractCustomError with data
        data = getattr(exc, "data", None)
        if isinstance(data, dict):
            data = data.get("data")
        if not data and exc.args:
            for arg in exc.args:
                if isinstance(arg, str) and arg.startswith("0x"):
                    data = arg
        return data or "0x"
    return None


def load_foreign_decisions() -> dict[str, dict[str, str]]:
    """Reviewed decisions of the foreign-contract matrix (open_functions.json, "_foreign")."""
    data = json.loads(OPEN_FUNCTIONS_FILE.read_text())
    return {k: v for k, v in data["_foreign"].items() if not k.startswith("_")}


def matrix_for(
    web3: Any,
    name: str,
    address: str,
    abi: list[dict[str, Any]],
    caller: str,
    open_functions: dict[str, str],
    refusal_names: set[str],
    address_argument: str | None = None,
) -> list[Cell]:
    """One cell per state-changing function called by `caller`, every address argument
    `address_argument` (default: the caller itself)."""
    refusals = error_selectors(abi, refusal_names)
    cells = []
    for fn in abi:
        if fn["type"] != "function" or fn["stateMutability"] in ("view", "pure"):
            continue
        sig = signature(fn)
        decision = open_functions.get(sig, "")
        if decision.startswith("open:"):
            cells.append(Cell(name, sig, "open"))
            continue
        types = [abi_type(i) for i in fn["inputs"]]
        args = [sample_value(t, address_argument or caller) for t in types]
        data = to_hex(function_signature_to_4byte_selector(sig) + encode(types, args))
        reverted = revert_data(web3, {"from": caller, "to": address, "data": data})
        if reverted is None:
            outcome = "NOT REFUSED: an account with no role called it successfully"
        elif decision.startswith("gated:") or reverted[:10] in refusals:
            outcome = "refused"
        else:
            outcome = f"reverted with {reverted[:10]}, not an authorisation error"
        cells.append(Cell(name, sig, outcome))
    return cells
