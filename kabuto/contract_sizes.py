"""The contract size budget: the runtime size of every deployable contract of the current build
against the EIP-170 limit (24,576 bytes), for the EVM target the build was made for.

`make sizes` prints one line per contract, ``NAME BYTES MARGIN``; `make test` prints the same
report for each EVM target it builds (cancun, berlin) and fails when any contract is within
:data:`RESERVE` bytes of the limit (``python -m kabuto.contract_sizes``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

LIMIT = 24_576  # EIP-170: the largest runtime code a deployment may leave
RESERVE = 1_024  # a contract closer than this to the limit fails the build
ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".build" / "__local__.json"
STAMP = ROOT / ".build" / ".kabuto-build"  # "<evm target> <sources hash>", by tools/ensure-build


@dataclass(frozen=True)
class ContractSize:
    name: str
    source: str
    size: int

    @property
    def margin(self) -> int:
        return LIMIT - self.size

    @property
    def within_budget(self) -> bool:
        return self.margin >= RESERVE


def built_target(stamp: Path = STAMP) -> str | None:
    """The EVM target of the current build (tools/ensure-build's stamp), None if never built."""
    if not stamp.is_file():
        return None
    return stamp.read_text().split()[0]


def contract_sizes(manifest: Path = MANIFEST, root: Path = ROOT) -> list[ContractSize]:
    """Every contract of the build with runtime code (interfaces and abstract contracts have
    none) whose source still exists under `root` (Ape's manifest keeps deleted ones), largest
    first."""
    types = json.loads(manifest.read_text())["contractTypes"]
    sizes = []
    for name, contract in types.items():
        code = (contract.get("runtimeBytecode") or {}).get("bytecode") or "0x"
        size = (len(code) - 2) // 2
        source = contract.get("sourceId", "")
        if size and (root / source).is_file():
            sizes.append(ContractSize(name, source, size))
    return sorted(sizes, key=lambda c: (-c.size, c.name))


def report(sizes: list[ContractSize]) -> str:
    """``NAME BYTES MARGIN`` per contract, aligned."""
    width = max((len(c.name) for c in sizes), default=4)
    lines = [f"{'NAME':<{width}} {'BYTES':>6} {'MARGIN':>6}"]
    lines += [f"{c.name:<{width}} {c.size:>6} {c.margin:>6}" for c in sizes]
    return "\n".join(lines)


def main() -> int:
    wanted = os.environ.get("KABUTO_EVM_VERSION", "cancun")
    target = built_target()
    if target != wanted or not MANIFEST.is_file():
        print(
            f"kabuto: the build is for {target or 'nothing'}, not {wanted}: run tools/ensure-build",
            file=sys.stderr,
        )
        return 2
    sizes = contract_sizes()
    print(f"contract sizes, EVM target {target} (limit {LIMIT:,}, reserve {RESERVE:,})")
    print(report(sizes))
    over = [c for c in sizes if not c.within_budget]
    for c in over:
        print(
            f"kabuto: {c.name} ({c.source}) is {c.size:,} bytes: {c.margin:,} below the limit, "
            f"less than the {RESERVE:,} reserved",
            file=sys.stderr,
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
