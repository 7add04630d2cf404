"""One PostgreSQL server of the pair: its data folder, its port on 127.0.0.1, and how to start and stop it.

Servers are started and stopped only through `pg_ctl` and the postmaster's own PID, never by process
name: other PostgreSQL servers on the same machine are none of our business.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dataservices.pgpair.binaries import PostgresBinaries
from dataservices.pgpair.errors import PostgresError

# Start-up and fast shutdown of an idle test server take well under a second.
PG_CTL_WAIT_SECONDS = 60
# After pg_ctl gives up, how long the postmaster gets to die after each signal.
KILL_WAIT_SECONDS = 10
# PostgreSQL adds "/.s.PGSQL.<port>" to the socket folder; Linux allows 107 bytes in a socket path.
MAX_SOCKET_DIR_LENGTH = 107 - len("/.s.PGSQL.65535")
AUTO_CONF = "postgresql.auto.conf"

StopMode = Literal["fast", "immediate"]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def set_settings(conf: Path, settings: Mapping[str, str]) -> None:
    """Write `settings` into a configuration file, replacing earlier lines that set the same names."""
    lines = conf.read_text().splitlines() if conf.exists() else []
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in settings]
    quoted = [f"{name} = '{value.replace(chr(39), chr(39) * 2)}'" for name, value in settings.items()]
    conf.write_text("\n".join([*kept, *quoted]) + "\n")


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server in `data_dir` listening on `127.0.0.1:port`; its log is `<name>.log` beside it."""

    name: str
    data_dir: Path
    port: int
    binaries: PostgresBinaries

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.name}.log"

    def configure(self, settings: Mapping[str, str]) -> None:
        """Set server settings in the data folder's `postgresql.auto.conf` (read after `postgresql.conf`)."""
        set_settings(self.data_dir / AUTO_CONF, settings)

    def initialise(self) -> None:
        """Create the data folder with `initdb`: trust authentication on 127.0.0.1 only, UTF-8, C collation."""
        self.binaries.run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username=postgres",
            "--auth=trust",
            "--locale=C.UTF-8",
            "--encoding=UTF8",
            # A throw-away folder is never worth an fsync of every file initdb wrote (about 0.5 s).
            "--no-sync",
            cwd=self.data_dir.parent,
        )

    def pid(self) -> int | None:
        """The postmaster's PID from `postmaster.pid`, if that file exists."""
        try:
            first_line = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
        except (FileNotFoundError, PermissionError):
            return None
        return int(first_line) if first_line.strip().isdigit() else None

    def is_running(self) -> bool:
        """Whether the postmaster process is alive (a zombie waiting to be reaped counts as stopped)."""
        pid = self.pid()
        return pid is not None and process_alive(pid)

    def start(self) -> None:
        """Start the server in the background with `pg_ctl -w` (it outlives this process) and wait until ready."""
        if self.is_running():
            return
        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        try:
            self.binaries.run(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--wait",
                f"--timeout={PG_CTL_WAIT_SECONDS}",
                cwd=self.data_dir.parent,
            )
        except PostgresError as exc:
            raise PostgresError(f"{self.name} did not start: {exc}\n{self.log_since(log_offset)}") from None

    def stop(self, mode: StopMode = "fast") -> None:
        """Stop the server and return once its postmaster is gone.

        `fast` rolls back open transactions and shuts down cleanly; `immediate` is a crash as far as the
        data is concerned (recovery runs at the next start). If `pg_ctl` fails, the postmaster is sent
        SIGQUIT (immediate shutdown), then SIGKILL.
        """
        pid = self.pid()
        if pid is None or not process_alive(pid):
            return
        try:
            self.binaries.run(
                "pg_ctl",
                "stop",
                "--pgdata",
                str(self.data_dir),
                f"--mode={mode}",
                "--wait",
                f"--timeout={PG_CTL_WAIT_SECONDS}",
                cwd=self.data_dir.parent,
            )
        except PostgresError:
            for signum in (signal.SIGQUIT, signal.SIGKILL):
                _signal(pid, signum)
                if _wait_until_dead(pid, KILL_WAIT_SECONDS):
                    break
        # pg_ctl returns once postmaster.pid is gone, a moment before the process itself exits.
        if not _wait_until_dead(pid, KILL_WAIT_SECONDS):
            raise PostgresError(f"{self.name} (PID {pid}) is still running after stop")
        # A SIGKILL leaves the lock file behind, and a zombie with that PID would block the next start.
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def promote(self) -> None:
        """Turn a standby into a primary that accepts writes; returns once the promotion is done."""
        self.binaries.run(
            "pg_ctl",
            "promote",
            "--pgdata",
            str(self.data_dir),
            "--wait",
            f"--timeout={PG_CTL_WAIT_SECONDS}",
            cwd=self.data_dir.parent,
        )

    def log_since(self, offset: int = 0, limit: int = 4000) -> str:
        """The server log written after byte `offset`, at most its last `limit` characters."""
        try:
            with self.log_file.open("rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
        except FileNotFoundError:
            return f"({self.log_file} does not exist)"
        return text[-limit:]


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie.

    A postmaster started by pg_ctl is re-parented to PID 1; in a container whose PID 1 never reaps
    children, it stays a zombie after exiting, and `kill(pid, 0)` would still call it alive.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False if Path("/proc/self/stat").exists() else _signal(pid, 0)
    except PermissionError:
        return True
    # The state follows the command name, which is in parentheses and may itself hold spaces.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _signal(pid: int, signum: int) -> bool:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_until_dead(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
