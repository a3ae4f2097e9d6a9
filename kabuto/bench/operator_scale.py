"""`ape run onboard` of a large investors CSV, as an operator runs it (issue 19): a fresh anvil
(--prune-history), `ape run deploy`, then `ape run onboard` of the file twice (the second run
finds everything done on the chain and sends nothing). Wall times include Ape's start."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eth_utils import keccak, to_checksum_address

from kabuto.bench.context import expect
from kabuto.bench.runner import APE_LOCAL_CHAIN_ID, DEFAULT_HARDFORK
from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import AnvilNode
from kabuto.ops.accounts import ROLE_INDEX

HEADER = "investor_id,class,tax_status,country,kyc_expiry,wallet,name,address\n"


def write_investors(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(rows):
            wallet = to_checksum_address(keccak(text=f"operator.scale.{i}")[-20:])
            f.write(
                f"OP-{i:07d},General,ResidentIndividual,392,2030-12-31,{wallet},"
                f"投資家 {i:06d},東京都中央区日本橋兜町{i % 50 + 1}番{i % 7 + 1}号\n"
            )


def ape_run(*args: str) -> tuple[float, str]:
    """`ape run ARGS` in the project: wall time (Ape's start included) and stdout."""
    started = time.monotonic()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ape"), "run", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    seconds = time.monotonic() - started
    expect(
        done.returncode == 0,
        f"ape run {args[0]} failed: {done.stdout[-800:]} {done.stderr[-1500:]}",
    )
    return seconds, done.stdout


def onboard_csv(rows: int) -> dict[str, float | str]:
    roles = [f"--{r.replace('_', '-')}={i}" for r, i in ROLE_INDEX.items()]
    with (
        tempfile.TemporaryDirectory(prefix="kabuto-operator-scale-") as work,
        AnvilNode(
            chain_id=APE_LOCAL_CHAIN_ID,
            hardfork=DEFAULT_HARDFORK,
            gas_free=True,
            extra_args=["--prune-history"],
        ) as node,
    ):
        d, k, csv = Path(work) / "deployments", Path(work) / "keys", Path(work) / "investors.csv"
        common = ["--network", node.url, "--deployments", str(d)]
        ape_run("deploy", *common, "--keys", str(k), *roles)
        write_investors(csv, rows)
        signers = [
            "--registrar",
            str(ROLE_INDEX["registrar"]),
            "--issuer",
            str(ROLE_INDEX["issuer"]),
        ]
        first, out = ape_run("onboard", str(csv), *common, *signers)
        again, out2 = ape_run("onboard", str(csv), *common, *signers)
        return {
            "operator_onboard_s": round(first, 1),
            "operator_onboard_rerun_s": round(again, 1),
            "operator_onboard_output": out.strip().splitlines()[-1],
            "operator_onboard_rerun_output": out2.strip().splitlines()[-1],
        }
