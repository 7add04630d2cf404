"""The database engines the service benchmark runs on: where a database comes from and what the baseline is.

An engine makes empty databases (the benchmark migrates and seeds them through the service's own code), tells the
server how to reach one, and runs the direct-driver baseline: the same transaction through the engine's fastest
plain client. SQLite's is `sqlite3` on one connection (one writer at a time); PostgreSQL's is asyncpg with a
connection pool, on a throw-away primary and streaming replica the engine starts and stops itself.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bench.service import postgres_direct, sqlite_direct
from bench.service.results import Sample
from dataservices.pgpair import PairDatabase, PostgresPair


class Engine(Protocol):
    """What the benchmark needs from a database engine."""

    name: str  # the --engine value
    label: str  # how the table and the chart name the engine
    title: str  # how the report names the engine and its settings
    baseline: str  # how the report names the direct-driver baseline

    def new_database(self, label: str) -> str:
        """A new, empty database named after `label`; its URL, as the service's settings take it."""
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

    def close(self) -> None:
        """Stop whatever the engine started (servers); its databases go with it."""
        ...


class SQLite:
    """A SQLite file per database (WAL, synchronous=FULL: `make run`'s default); baseline `sqlite3`."""

    name = "sqlite"
    label = "SQLite"
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

    def close(self) -> None:
        """Nothing runs: the files go with the benchmark's folder."""


class PostgreSQL:
    """A throw-away PostgreSQL primary with a streaming replica (fsync on, as in production); baseline asyncpg."""

    name = "postgresql"
    label = "PostgreSQL"
    title = "PostgreSQL 15 (primary + streaming replica, fsync on)"
    baseline = f"asyncpg, pool of {postgres_direct.POOL_SIZE}, {postgres_direct.TASKS} transactions at a time"

    def __init__(self, workdir: Path) -> None:
        # Not under `workdir`: the servers run as the `postgres` user when we are root, and a private temporary
        # folder's children are out of its reach (the pair checks, and says so).
        del workdir
        self._pair = PostgresPair.start(Path(tempfile.mkdtemp(prefix="service-bench-pg-")))
        self._databases: dict[str, PairDatabase] = {}

    def new_database(self, label: str) -> str:
        database = self._pair.create_database(label.replace("-", "_"))
        self._databases[database.primary_url] = database
        return database.primary_url

    def server_environment(self, url: str) -> dict[str, str]:
        # The service reads from the replica: it must hold the seeded coupons before the first read.
        self._pair.wait_for_replica()
        database = self._databases[url]
        return {
            "DATASERVICES_COUPON_DATABASE_URL": database.primary_url,
            "DATASERVICES_COUPON_REPLICA_DATABASE_URL": database.replica_url,
        }

    def direct_redemptions(self, url: str, coupon_ids: tuple[str, ...], tag: str, seconds: float) -> Sample:
        return postgres_direct.redemptions(url, coupon_ids, tag, seconds)

    def direct_reads(self, url: str, by: str, keys: tuple[str, ...], seconds: float) -> Sample:
        # The service's reads without a token are the replica's: so are the baseline's.
        self._pair.wait_for_replica()
        return postgres_direct.reads(self._databases[url].replica_url, by, keys, seconds)

    def close(self) -> None:
        self._pair.close()


# The engines by --engine name; each is made with the folder its databases may use.
ENGINES: dict[str, Callable[[Path], Engine]] = {"sqlite": SQLite, "postgresql": PostgreSQL}
