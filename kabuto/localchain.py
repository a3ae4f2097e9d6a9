"""Start and stop a local anvil node as a subprocess.

Used where a test or a job needs a chain with settings Ape's foundry provider does not
manage: the gas-free private network imitation, a node that keeps its state on disk for
fault injection, and the benchmark's own chain.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kabuto.environment import PROJECT_ROOT

PRIVNET_CHAIN_ID = 2017


class AnvilError(RuntimeError):
    """anvil could not be found, started or reached."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def anvil_executable() -> str:
    local = PROJECT_ROOT / "node_modules" / ".bin" / "anvil"
    if local.exists():
        return str(local)
    found = shutil.which("anvil")
    if not found:
        raise AnvilError("anvil not found: run `make setup` (it installs anvil from npm)")
    return found


@dataclass
class AnvilNode:
    """One anvil process on a free loopback port.

    Args:
        chain_id: the chain id the node reports.
        hardfork: EVM rules (``berlin``, ``cancun``, ...); defaults to KABUTO_EVM_VERSION.
        gas_free: price gas at zero so unfunded accounts can send legacy transactions,
            as on a Quorum/Besu network with free gas.
        state_file: keep the chain state in this file (loaded at start, dumped on exit
            and every ``state_interval`` seconds) so a restart resumes the same chain.
        extra_args: further anvil flags.
    """

    chain_id: int = 31337
    hardfork: str | None = None
    gas_free: bool = False
    state_file: Path | None = None
    state_interval: int = 1
    extra_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        hardfork = self.hardfork or os.environ.get("KABUTO_EVM_VERSION", "cancun")
        cmd = [
            anvil_executable(),
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--hardfork",
            hardfork,
            "--silent",
        ]
        if self.gas_free:
            cmd += ["--gas-price", "0", "--base-fee", "0", "--disable-min-priority-fee"]
        if self.state_file is not None:
            cmd += ["--state", str(self.state_file), "--state-interval", str(self.state_interval)]
        return cmd + self.extra_args

    def start(self, timeout_s: float = 20.0) -> AnvilNode:
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise AnvilError(f"anvil exited at start ({self.process.returncode}): {error}")
            if self.is_responding():
                return self
            time.sleep(0.1)
        self.stop()
        raise AnvilError(f"anvil did not answer on {self.url} within {timeout_s} s")

    def is_responding(self) -> bool:
        request = urllib.request.Request(
            self.url,
            data=b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def kill_hard(self) -> None:
        """SIGKILL: the node gets no chance to save anything (fault injection)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM and wait: anvil writes its state file on a clean exit."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill_hard()

    def __enter__(self) -> AnvilNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def privnet_node(**kwargs: object) -> AnvilNode:
    """An anvil that behaves like Kabuto's gas-free `privnet` (chain id 2017)."""
    return AnvilNode(chain_id=PRIVNET_CHAIN_ID, gas_free=True, **kwargs)  # type: ignore[arg-type]
