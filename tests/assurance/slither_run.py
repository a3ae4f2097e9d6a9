"""Slither over every Kabuto contract, started in the background as soon as the session has
collected the static-analysis tests, so its ~25 s (solc-js parsing every contract for slither,
then the analysis) overlap the chain tests instead of adding to them. The checks read its report at the
end of the run; nothing about the analysis changes."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kabuto.environment import PROJECT_ROOT

CONTRACTS = PROJECT_ROOT / "contracts"
HERE = Path(__file__).parent
# Analysed with the production contracts (same compile, same analysis) so the check proves it
# can fail: its findings must be reported (test_static_analysis.py). Never deployed.
CANARY = HERE / "slither_canary" / "SlitherKnownBad.sol"
TIMEOUT_S = 300


def kabuto_sources() -> list[Path]:
    """Every production contract: the test-only helpers in contracts/testing are left out."""
    return sorted(
        p
        for p in CONTRACTS.rglob("*.sol")
        if os.environ.get("KABUTO_SLITHER_ALL")
        or "testing" not in p.parts
        and ".cache" not in p.parts
    )


@dataclass
class SlitherRun:
    process: subprocess.Popen[bytes]
    stdout: tempfile._TemporaryFileWrapper  # type: ignore[type-arg]
    stderr: tempfile._TemporaryFileWrapper  # type: ignore[type-arg]

    def report(self) -> dict:
        """Waits for slither and returns its JSON report; raises if it did not succeed."""
        try:
            self.process.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        self.stdout.seek(0)
        self.stderr.seek(0)
        out, err = self.stdout.read().decode(), self.stderr.read().decode()
        try:
            report = json.loads(out)
        except json.JSONDecodeError:
            raise AssertionError(f"slither printed no JSON report: {err[-2000:]}") from None
        assert report["success"], report.get("error") or err[-2000:]
        return report

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_slither() -> SlitherRun:
    """One entry file importing every source and the canary: one compilation, one analysis,
    every detector (slither_scan.py: the CLI runs no detector when a printer is given)."""
    sources = [*kabuto_sources(), CANARY]
    entry = PROJECT_ROOT / ".cache" / "slither" / "AllContracts.sol"
    entry.parent.mkdir(parents=True, exist_ok=True)
    imports = "\n".join(f'import "{os.path.relpath(p, entry.parent)}";' for p in sources)
    entry.write_text(
        f"// SPDX-License-Identifier: Apache-2.0\npragma solidity 0.8.30;\n{imports}\n"
    )
    # KABUTO_SOLC_NO_CODEGEN: slither reads the AST, so tools/solc skips code generation and
    # the optimiser (~20 s of solc-js CPU); the AST, and so the analysis, is the same.
    env = {
        **os.environ,
        "PATH": f"{PROJECT_ROOT / 'tools'}{os.pathsep}{os.environ['PATH']}",
        "KABUTO_SOLC_NO_CODEGEN": "1",
    }
    stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    process = subprocess.Popen(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "python"),
            str(HERE / "slither_scan.py"),
            str(entry.relative_to(PROJECT_ROOT)),
            "--config-file",
            "slither.config.json",
        ],
        cwd=PROJECT_ROOT,
        stdout=stdout,
        stderr=stderr,
        env=env,
    )
    return SlitherRun(process, stdout, stderr)
