"""A throwaway local PostgreSQL server for the tests and the bench: the real server binaries
that the `pgserver` package ships on PyPI, run directly (initdb, then pg_ctl start/stop),
every step with a timeout that fails with the server's log, listening on a unix socket in
its own short folder only (no TCP port), removed on stop.

Not pgserver's Python wrapper (``pgserver.get_server``): that one holds a single lock file
for every pgserver user of the machine (all test workers, all checkouts, the bench) around
its start, its unbounded wait for the server and its stop at exit, so one stuck server
anywhere blocks every other start and every exit forever.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kabuto.errors import KabutoError

SYSTEM_USER = "pgserver"  # postgres refuses to run as root: pgserver's own user for it
FAST = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off",)


class LocalPostgresError(KabutoError):
    """The local PostgreSQL server did not start or stop in time."""


def _bin(name: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


@dataclass
class LocalPostgres:
    """One server. ``durable=False`` (tests) turns fsync off: fast, lost on a crash."""

    durable: bool = True
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kpg-", dir="/tmp")))
    started: bool = False

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, args: list[str], timeout_s: float) -> None:
        user = SYSTEM_USER if os.geteuid() == 0 else None
        try:
            subprocess.run(
                args,
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # files, never pipes: postgres would inherit them
                stderr=subprocess.DEVNULL,
                timeout=timeout_s,
                user=user,
                cwd=self.folder,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            log = self.data / "log"
            raise LocalPostgresError(
                f"{Path(args[0]).name} {args[-1]}: {exc}\n"
                + (log.read_text(errors="replace")[-3000:] if log.exists() else "")
            ) from exc

    def start(self, timeout_s: float = 90) -> LocalPostgres:
        if os.geteuid() == 0:
            from pgserver.utils import ensure_user_exists

            entry = ensure_user_exists(SYSTEM_USER)
            assert entry is not None
            self.folder.chmod(0o755)
            self.data.mkdir()
            os.chown(self.data, entry.pw_uid, entry.pw_gid)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        try:
            self._run(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.data),
                    "--auth=trust",
                    "--encoding=utf8",
                    "-U",
                    "postgres",
                    "--no-sync",
                ],
                timeout_s,
            )
            options = f"-h '' -k {self.folder}" + ("" if self.durable else " " + FAST[0])
            self._run(
                [
                    _bin("pg_ctl"),
                    "-D",
                    str(self.data),
                    "-w",
                    "-t",
                    str(int(timeout_s)),
                    "-l",
                    str(self.data / "log"),
                    "-o",
                    options,
                    "start",
                ],
                timeout_s + 10,
            )
        except BaseException:
            self.stop()
            raise
        self.started = True
        return self

    def uri(self, database: str = "postgres") -> str:
        """A libpq URI (psycopg.connect)."""
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def sqlalchemy_url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.folder}"

    def new_database(self, prefix: str = "kabuto") -> str:
        """Creates a database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.uri(), autocommit=True, connect_timeout=30) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.sqlalchemy_url(name)

    def stop(self, timeout_s: float = 20) -> None:
        """Stops the server (immediate shutdown; SIGKILL if that does not end it in time)
        and removes its folder."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            try:
                self._run(
                    [
                        _bin("pg_ctl"),
                        "-D",
                        str(self.data),
                        "-m",
                        "immediate",
                        "-w",
                        "-t",
                        str(int(timeout_s)),
                        "stop",
                    ],
                    timeout_s + 10,
                )
            except LocalPostgresError:
                try:
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
                except (OSError, ValueError, IndexError):
                    pass  # already gone
        self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)
