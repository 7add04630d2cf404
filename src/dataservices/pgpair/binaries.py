"""Where the PostgreSQL server programs are, and how to run them as a user they accept.

`initdb`, `postgres` and `pg_ctl` refuse to run as root. A root process (CI runs in a container as root)
runs them as the `postgres` user, which Debian's `postgresql` package creates, through `runuser`.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dataservices.pgpair.errors import PostgresError, PostgresNotInstalled

# Debian and Ubuntu install each major version side by side here; PATH usually holds only wrappers.
DEBIAN_BINDIR = Path("/usr/lib/postgresql/15/bin")
INSTALL_HINT = "install PostgreSQL 15 (Debian: apt-get install -y postgresql-15)"
# DROP DATABASE ... WITH (FORCE) needs 13; 15 is the version this repository is tested on.
MINIMUM_MAJOR_VERSION = 15
SERVER_USER = "postgres"
PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
# initdb, pg_basebackup and a start or stop take seconds; a minute means something hangs.
PROGRAM_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class PostgresBinaries:
    """The folder of the server programs, their version, and the user they run as when we are root."""

    bindir: Path
    version: str
    run_as: str | None = None

    def command(self, program: str, *args: str) -> list[str]:
        """The argument list that runs `program` from `bindir`, switching user when we are root."""
        path = str(self.bindir / program)
        if self.run_as is None:
            return [path, *args]
        return ["runuser", "-u", self.run_as, "--", path, *args]

    def run(self, program: str, *args: str, cwd: Path) -> str:
        """Run a program to completion and return its output; raise `PostgresError` with that output if it fails."""
        command = self.command(program, *args)
        try:
            result = subprocess.run(
                command,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=PROGRAM_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(
                f"{program} did not finish in {PROGRAM_TIMEOUT_SECONDS} s: {' '.join(command)}"
            ) from exc
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            raise PostgresError(f"{program} failed (exit {result.returncode}): {' '.join(command)}\n{output}")
        return output

    def give_to_server_user(self, path: Path) -> None:
        """Make `path` belong to the user the servers run as (only needed when that is not us)."""
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def check_writable(self, path: Path) -> None:
        """Fail clearly when the server user cannot reach or write `path` (e.g. a parent folder is private)."""
        if self.run_as is None:
            return
        result = subprocess.run(
            ["runuser", "-u", self.run_as, "--", "test", "-w", str(path), "-a", "-x", str(path)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise PostgresError(
                f"the {self.run_as} user cannot write {path}: every parent folder must be traversable by it "
                "(chmod o+x), or choose a folder under /tmp"
            )


def find_binaries(bindir: Path | None = None) -> PostgresBinaries:
    """Find the server programs: `bindir` if given, else Debian's 15 folder, `pg_config --bindir`, or PATH.

    Raises `PostgresNotInstalled` when no folder holds all of them or their version is too old.
    """
    candidates = [bindir] if bindir is not None else [DEBIAN_BINDIR, _pg_config_bindir(), _path_bindir()]
    looked = []
    for candidate in candidates:
        if candidate is None:
            continue
        looked.append(str(candidate))
        if all(os.access(candidate / program, os.X_OK) for program in PROGRAMS):
            return _binaries_in(candidate)
    raise PostgresNotInstalled(f"PostgreSQL server programs not found (looked in {', '.join(looked)}): {INSTALL_HINT}")


def _binaries_in(bindir: Path) -> PostgresBinaries:
    output = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=False, timeout=30
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)*", output)
    if match is None or int(match.group(1)) < MINIMUM_MAJOR_VERSION:
        raise PostgresNotInstalled(f"{bindir / 'postgres'} is {output.strip() or 'unknown'}: {INSTALL_HINT}")
    run_as = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresNotInstalled(
                f"PostgreSQL refuses to run as root and there is no {SERVER_USER} user: {INSTALL_HINT}"
            ) from None
        run_as = SERVER_USER
    return PostgresBinaries(bindir=bindir, version=match.group(0), run_as=run_as)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False, timeout=30)
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None


def _path_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None
