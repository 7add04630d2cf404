"""The database engines the service benchmark runs on: where a database comes from and what the baseline is.

An engine makes empty databases (the benchmark migrates and seeds them through the service's own code), tells the
server how to reach one, and runs the direct-driver baseline: the same transaction through the engine's fastest
plain client. SQLite is here; PostgreSQL becomes a second entry of `ENGINES` once the benchmark can start a
throw-away primary and replica (its baseline: asyncpg with a connection pool, the fastest plain client there,
where SQLite's is a single connection).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bench.service import sqlite_direct
from bench.service.results import Sample


class Engine(Protocol):
    """What the benchmark needs from a database engine."""

    name: str  # the --engine value
    title: str  # how the report names the engine and its settings
    baseline: str  # how the report names the direct-driver baseline

    def new_database(self, label: str) -> str:
        """A new, empty database named after `label`; its SQLAlchemy URL (async driver)."""
        ...

    def server_environment(self, url: str) -> dict[str, str]:
        """The environment that makes `dataservices serve coupon` use the database at `url`."""
        ...

    def direct_redemptions(self, url: str, coupon_ids: tuple[str, ...], tag: str, seconds: float) -> Sample:
        """Redeem `coupon_ids` in turn through the engine's own driver for `seconds` (keys and orders `tag-...`)."""
        ...

    def direct_reads(self, url: str, by: str, keys: tuple[str, ...], seconds: float) -> Sample:
        """Read coupons by "id" or "code" through the engine's own driver for `seconds`."""
        ...


class SQLite:
    """A SQLite file per database (WAL, synchronous=FULL: `make run`'s default); baseline `sqlite3`."""

    name = "sqlite"
    title = "SQLite (file, WAL, synchronous=FULL)"
    baseline = "sqlite3, one connection"

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir

    def new_database(self, label: str) -> str:
        path = self._workdir / f"{label}.db"
        if path.exists():
            raise FileExistsError(path)
        return f"sqlite:///{path}"

    def server_environment(self, url: str) -> dict[str, str]:
        return {"DATASERVICES_COUPON_DATABASE_URL": url}

    def direct_redemptions(self, url: str, coupon_ids: tuple[str, ...], tag: str, seconds: float) -> Sample:
        return sqlite_direct.redemptions(url, coupon_ids, tag, seconds)

    def direct_reads(self, url: str, by: str, keys: tuple[str, ...], seconds: float) -> Sample:
        return sqlite_direct.reads(url, by, keys, seconds)


# The engines by --engine name; each is made with the folder its databases may use.
ENGINES: dict[str, Callable[[Path], Engine]] = {"sqlite": SQLite}
