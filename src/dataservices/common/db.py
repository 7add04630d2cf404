"""The database of one service: a primary for writes, optionally a replica for reads.

A transaction is a function. `Database.write(work)` runs `work(tx)` inside one write
transaction on a database thread and returns what it returned with the transaction's consistency
token; `Database.read(work, token)` does the same in a read-only transaction, on the replica when it
has replayed past `token` (read-your-writes). A service operation is exactly one such call, so the
event loop never waits on a statement: a transaction costs one hop to a thread, not one per statement
(through aiosqlite, ten statements cost eight times what they cost run together, measured). `tx` is a
`Transaction` (`dataservices.common.sql`): statements written with SQLAlchemy Core, run on the driver.

SQLite has one writer thread: in-process writers queue for it, and `BEGIN IMMEDIATE` takes the write
lock up front, so two redemptions can never both read a counter and then both write it. PostgreSQL
gets a pool of threads, each with its own connection.

When the database cannot take the work in time (the write lock held by another process, a server
that does not answer), the caller gets `DatabaseUnavailable`, a 503 with `Retry-After`, within
`deadline_seconds`: never a hang, never a 500.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, DateTime, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.types import TypeDecorator

from dataservices.common.group_commit import GroupCommitWriter
from dataservices.common.problems import ServiceUnavailable
from dataservices.common.sql import Transaction

T = TypeVar("T")

# How long a writer waits for SQLite's write lock held by another process. Within one process the
# writer thread serializes writes, so only other processes (`--workers`, a migration) ever hold it.
SQLITE_LOCK_TIMEOUT_SECONDS = 2.0
# How long a request may wait for its transaction to start before it is answered 503: longer than a
# burst of a few hundred queued redemptions takes, short enough for a caller's own timeout.
DEADLINE_SECONDS = 10.0
# PostgreSQL: a server that does not accept a connection within this is down for this request.
CONNECT_TIMEOUT_SECONDS = 2
# PostgreSQL: no statement of ours runs longer; one that does is waiting on a lock or a sick server.
STATEMENT_TIMEOUT_MS = 5000
# PostgreSQL connections (and threads) per engine: enough for two cores, few enough for many workers.
POOL_SIZE = 10
# SQLite reads run on the event loop's thread, one at a time: one connection serves them; a spare
# covers a connection the pool has not taken back yet.
SQLITE_READERS = 2
RETRY_AFTER_SECONDS = 1
# SQLite's errors that mean "not now" rather than "wrong": a lock, a read-only or unwritable file.
_SQLITE_UNAVAILABLE = re.compile(r"locked|busy|readonly|read-only|disk I/O|unable to open|disk is full", re.I)
# PostgreSQL SQLSTATE classes and codes that mean "not now": connection (08), resources (53),
# operator intervention (57: shutdown, statement timeout), lock not available, a read-only server.
_PG_UNAVAILABLE = re.compile(r"^(08|53|57|55P03|25006)")


_IN_RECOVERY = text("SELECT pg_is_in_recovery()")


class _ProbeDone(Exception):
    """Ends a readiness probe's transaction without committing what it wrote."""


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot take the work now; the caller should retry after `Retry-After`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, retry_after_seconds=RETRY_AFTER_SECONDS)


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

    # On SQLite the value is text in SQLAlchemy's storage format ("2026-01-02 03:04:05.000006"), which is
    # ISO 8601 with a space: the C `isoformat`/`fromisoformat` write and read it several times faster than
    # SQLAlchemy's generic formatter and regular expression (7% of a redemption's time, profiled).
    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: datetime | None) -> str | None:
            if value is None:
                return None
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return to_text

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def from_text(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return from_text


def insert_for(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT with the dialect's `ON CONFLICT` support (both dialects spell it the same way)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """What a write operation produced, and the consistency token of the transaction that committed it."""

    value: T
    token: str


def driver_url(url: str) -> URL:
    """The URL with the driver the services use: the standard library's sqlite3, or psycopg.

    Configuration names only the engine (`sqlite:///var/coupon.db`, `postgresql://host/coupon`);
    URLs naming another driver (`+aiosqlite`, `+asyncpg`) are accepted and mapped.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout needs no setup."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, *, begin: str, pool_size: int, writer: bool) -> Engine:
    ensure_sqlite_directory(url)
    engine = create_engine(
        driver_url(url),
        pool_size=pool_size,
        max_overflow=0,
        # Named parameters, as psycopg's: a compiled statement takes the same dict on either engine.
        paramstyle="named",
        # Connections move between the database threads; each is used by one thread at a time.
        connect_args={"check_same_thread": False, "timeout": SQLITE_LOCK_TIMEOUT_SECONDS},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so the `begin` listener decides how to begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_LOCK_TIMEOUT_SECONDS * 1000)}")
        if writer:
            # WAL is a property of the file, kept once set; switching to it needs the write lock, so
            # readers never ask (they would wait on whoever holds it, or fail on a read-only file).
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL with synchronous=NORMAL stays consistent after a crash; FULL also survives power loss.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def _postgres_engine(url: str, *, read_only: bool) -> Engine:
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    return create_engine(
        driver_url(url),
        pool_size=POOL_SIZE,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options},
    )


def _unavailable(exc: DBAPIError, sqlite_engine: bool) -> bool:
    """Whether a database error means "not now" (retry later) rather than a fault in the request or code."""
    if exc.connection_invalidated:
        return True
    if sqlite_engine:
        return isinstance(exc, OperationalError) and bool(_SQLITE_UNAVAILABLE.search(str(exc.orig)))
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is None:
        # psycopg reports a refused or lost connection without an SQLSTATE.
        return isinstance(exc, OperationalError)
    return bool(_PG_UNAVAILABLE.match(str(sqlstate)))


class Database:
    """Engines, threads and transactions of one service's database."""

    def __init__(self, primary_url: str, replica_url: str | None = None, *, deadline_seconds: float = DEADLINE_SECONDS):
        self.primary_url = primary_url
        self.is_sqlite = is_sqlite(primary_url)
        self.deadline_seconds = deadline_seconds
        self._commits = itertools.count(1)
        self.replica_engine: Engine | None = None
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(primary_url, begin="BEGIN IMMEDIATE", pool_size=1, writer=True)
            self.read_engine = _sqlite_engine(primary_url, begin="BEGIN", pool_size=SQLITE_READERS, writer=False)
            writers, readers = 1, SQLITE_READERS
        else:
            self.write_engine = _postgres_engine(primary_url, read_only=False)
            self.read_engine = self.write_engine
            if replica_url:
                self.replica_engine = _postgres_engine(replica_url, read_only=True)
            writers = readers = POOL_SIZE
        self._sizes = {"write": writers, "read": readers}
        self._threads: dict[str, ThreadPoolExecutor] = {}
        self._group_commit: GroupCommitWriter | None = None

    async def write(self, work: Callable[[Transaction], T]) -> Written[T]:
        """Run `work` in one write transaction; committed when it returns, rolled back if it raises.

        On SQLite the transaction may share its commit with others waiting at the same moment (group
        commit); it still commits or rolls back alone, as if it had run by itself.
        """
        if self.is_sqlite:
            if self._group_commit is None:
                self._group_commit = GroupCommitWriter(self.write_engine, self._token, self._guarded_error)
            value, token = await self._wait(self._group_commit.submit(work))
            return Written(value, token)
        return await self._submit("write", self._write, work)

    async def read(self, work: Callable[[Transaction], T], consistency_token: str | None = None) -> T:
        """Run `work` in a read-only transaction, on a replica when it has replayed past the token.

        On SQLite the read runs right here on the event loop: a WAL reader never waits for the
        writer, and a read takes tens of microseconds, less than the hand-off to a thread and back.
        """
        if self.is_sqlite:
            value: T = self._guarded(self._read, work, consistency_token)
            return value
        return await self._submit("read", self._read, work, consistency_token)

    def _write(self, work: Callable[[Transaction], T]) -> Written[T]:
        with self.write_engine.connect() as connection:
            with connection.begin():
                value = work(Transaction(connection))
            return Written(value, self._token(connection))

    def _read(self, work: Callable[[Transaction], T], consistency_token: str | None) -> T:
        engine = self.read_engine
        if self.replica_engine is not None and self._replica_has(consistency_token):
            engine = self.replica_engine
        with engine.connect() as connection, connection.begin():
            return work(Transaction(connection))

    def _executor(self, kind: str) -> ThreadPoolExecutor:
        # Made on first use, and again after `dispose` (an app's lifespan may end and start again).
        if kind not in self._threads:
            self._threads[kind] = ThreadPoolExecutor(self._sizes[kind], thread_name_prefix=f"db-{kind}")
        return self._threads[kind]

    async def _submit(self, kind: str, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn` on a database thread; 503 if it has not started within the deadline."""
        return await self._wait(self._executor(kind).submit(self._guarded, fn, *args))

    async def _wait(self, future: Future[T]) -> T:
        """The outcome of work queued for a database thread; 503 if it has not started within the deadline.

        Work that has started is always waited for: its own timeouts bound it. A caller that goes away
        does not cancel the work either. One loop future, one timer and one callback from the thread:
        `wait_for(shield(wrap_future(...)))` did the same with three futures and a task, a tenth of a
        redemption's event-loop time.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[T] = loop.create_future()

        def settle(done: Future[T]) -> None:
            if waiter.done():
                return
            if done.cancelled():
                waiter.set_exception(
                    DatabaseUnavailable(f"The database did not take the request within {self.deadline_seconds:g} s.")
                )
            elif (error := done.exception()) is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(done.result())

        def hand_back(done: Future[T]) -> None:  # on the database thread
            with suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
                loop.call_soon_threadsafe(settle, done)

        future.add_done_callback(hand_back)
        timer = loop.call_later(self.deadline_seconds, future.cancel)  # cancels only work not yet started
        try:
            return await waiter
        finally:
            timer.cancel()

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except DBAPIError as exc:
            raise self._guarded_error(exc) from exc

    def _guarded_error(self, exc: BaseException) -> BaseException:
        """The exception a caller sees for a database error: 503 when it means "not now"."""
        if isinstance(exc, DBAPIError) and _unavailable(exc, self.is_sqlite):
            unavailable = DatabaseUnavailable(f"The database cannot take the request now ({type(exc.orig).__name__}).")
            unavailable.__cause__ = exc
            return unavailable
        return exc

    def _token(self, connection: Connection) -> str:
        """A token for the write just committed on `connection`, to send back on later reads."""
        if self.is_sqlite:
            # A single SQLite file has no replica: every read already sees every committed write.
            return f"sqlite.{next(self._commits)}"
        # After a synchronous commit the WAL is flushed past its commit record, so the flush position is
        # one a replica reaches; the insert position can sit past a page header it never replays to.
        lsn = connection.execute(text("SELECT pg_current_wal_flush_lsn()::text")).scalar_one()
        connection.rollback()
        return "pg." + str(lsn).replace("/", "-")

    def _replica_has(self, token: str | None) -> bool:
        if self.replica_engine is None:
            return False
        if token is None:
            return True
        if not token.startswith("pg."):
            return False  # a token we did not issue: only the primary is certainly up to date
        lsn = token[3:].replace("-", "/")
        try:
            with self.replica_engine.connect() as connection:
                replayed = connection.execute(
                    text("SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn), false)"), {"lsn": lsn}
                ).scalar_one()
        except DBAPIError:  # a malformed LSN or an unreachable replica: use the primary
            return False
        return bool(replayed)

    async def check_writable(self, table: str) -> None:
        """Raise `DatabaseUnavailable` unless a write transaction can start now and `table` exists.

        The probe writes (SQLite: the file header, so a read-only file fails) and then undoes it.
        """

        def probe(tx: Transaction) -> None:
            if not self.is_sqlite and tx.scalar(_IN_RECOVERY):
                raise DatabaseUnavailable("The primary database is in recovery and takes no writes.")
            tx.execute_sql(f"SELECT 1 FROM {table} LIMIT 1")
            if self.is_sqlite:
                tx.execute_sql("PRAGMA user_version = 0")
            raise _ProbeDone

        try:
            await self.write(probe)
        except _ProbeDone:
            return
        except DBAPIError as exc:
            raise DatabaseUnavailable(f"The database is not ready: {type(exc.orig).__name__}.") from exc

    async def dispose(self) -> None:
        writer, self._group_commit = self._group_commit, None
        if writer is not None:
            await asyncio.to_thread(writer.close)
        threads, self._threads = self._threads, {}
        for executor in threads.values():
            executor.shutdown(wait=True, cancel_futures=True)
        for engine in {self.write_engine, self.read_engine, self.replica_engine}:
            if engine is not None:
                engine.dispose()
