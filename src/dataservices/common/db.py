"""The database of one service: a primary for writes, optionally a replica for reads.

`Database.write()` is the one unit of work that opens and commits write transactions; a service
operation runs inside exactly one. On SQLite it starts with `BEGIN IMMEDIATE`, which takes the write
lock up front: two redemptions can never both read a counter and then both write it, and a busy
database makes the writer wait instead of failing half-way. Once the block commits, the transaction's
consistency token is read on the connection that committed it. `Database.read()` serves reads from
the replica only when it has replayed past the caller's consistency token (read-your-writes).

Both yield SQLAlchemy Core connections: every statement of a service is Core, so the ORM's session
and its unit of work would only add cost.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator

# Writers queue for the lock instead of failing; 30 s is far beyond any transaction of ours.
SQLITE_BUSY_TIMEOUT_MS = 30_000


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite stores them naive, in UTC, so they sort as text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def insert_for(connection: AsyncConnection, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT with the engine's `ON CONFLICT` support (both dialects spell it the same way)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """What a write operation produced, and the consistency token of the transaction that committed it."""

    value: T
    token: str


@dataclass
class WriteTransaction:
    """A write transaction in progress; once committed, `token` names its position in the history."""

    connection: AsyncConnection
    token: str | None = None


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout needs no setup."""
    if _is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, *, begin: str, pool_size: int) -> AsyncEngine:
    ensure_sqlite_directory(url)
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=60)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so the `begin` listener decides how to begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL with synchronous=NORMAL stays consistent after a crash; FULL also survives power loss.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


class Database:
    """Engines and sessions of one service's database."""

    def __init__(self, primary_url: str, replica_url: str | None = None) -> None:
        self.primary_url = primary_url
        self.is_sqlite = _is_sqlite(primary_url)
        self._commits = itertools.count(1)
        if self.is_sqlite:
            # One writer connection: in-process writers queue in the pool (fair, no busy-waiting);
            # other processes meet the busy timeout. Readers use their own connections (WAL).
            self.write_engine = _sqlite_engine(primary_url, begin="BEGIN IMMEDIATE", pool_size=1)
            self.read_engine = _sqlite_engine(primary_url, begin="BEGIN", pool_size=5)
            self.replica_engine: AsyncEngine | None = None
        else:
            self.write_engine = create_async_engine(primary_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
            self.read_engine = self.write_engine
            self.replica_engine = (
                create_async_engine(replica_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
                if replica_url
                else None
            )

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteTransaction]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        async with self.write_engine.connect() as connection:
            transaction = WriteTransaction(connection)
            async with connection.begin():
                yield transaction
            transaction.token = await self._token(connection)

    async def _token(self, connection: AsyncConnection) -> str:
        """A token for the write just committed on `connection`, to send back on later reads."""
        if self.is_sqlite:
            # A single SQLite file has no replica: every read already sees every committed write.
            return f"sqlite.{next(self._commits)}"
        # After a synchronous commit the WAL is flushed past its commit record, so the flush position is
        # one a replica reaches; the insert position can sit past a page header it never replays to.
        lsn = (await connection.execute(text("SELECT pg_current_wal_flush_lsn()::text"))).scalar_one()
        await connection.rollback()
        return "pg." + str(lsn).replace("/", "-")

    async def _replica_has(self, token: str | None) -> bool:
        if self.replica_engine is None:
            return False
        if token is None:
            return True
        if not token.startswith("pg."):
            return False  # a token we did not issue: only the primary is certainly up to date
        lsn = token[3:].replace("-", "/")
        async with self.replica_engine.connect() as connection:
            try:
                # asyncpg's pg_lsn codec wants an integer: bind the LSN as text and cast it in SQL.
                result = await connection.execute(
                    text("SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(CAST(:lsn AS text) AS pg_lsn), false)"),
                    {"lsn": lsn},
                )
            except Exception:  # a malformed LSN or an unreachable replica: use the primary
                return False
            return bool(result.scalar_one())

    @asynccontextmanager
    async def read(self, consistency_token: str | None = None) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction, on a replica when it has replayed past `consistency_token`."""
        engine = self.read_engine
        if self.replica_engine is not None and await self._replica_has(consistency_token):
            engine = self.replica_engine
        async with engine.connect() as connection, connection.begin():
            yield connection

    async def ping(self) -> None:
        """Raise unless the primary answers a trivial query."""
        async with self.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        for engine in {self.write_engine, self.read_engine, self.replica_engine}:
            if engine is not None:
                await engine.dispose()
