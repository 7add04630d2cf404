"""A throw-away PostgreSQL primary with one asynchronous streaming replica, on free ports of 127.0.0.1.

    with PostgresPair.start(Path(tempfile.mkdtemp())) as pair:
        database = pair.create_database("orders")    # created on the primary, replayed by the replica
        engine = create_async_engine(database.primary_url)

The pair lives in one folder: `primary/` and `replica/` (data), `primary.log` and `replica.log`, the
Unix sockets, and `pair.json`, which records the ports so another process can `attach` to the pair
(the `dataservices pg` commands do). Closing the pair stops both servers and removes the folder.

Replication is asynchronous on purpose: with `synchronous_standby_names` every commit hangs while the
replica is down. Read-your-writes comes from consistency tokens instead (ADR 0003).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import asyncpg

from dataservices.pgpair.binaries import PostgresBinaries, find_binaries
from dataservices.pgpair.errors import PostgresError
from dataservices.pgpair.server import MAX_SOCKET_DIR_LENGTH, PostgresServer, StopMode, free_port

STATE_FILE = "pair.json"
SLOT_NAME = "replica"
# A port picked as free can be taken by someone else before the server binds it; then we pick again.
PORT_ATTEMPTS = 5
# A pair streams within 0.1 s of start and replays a new database in 0.05 to 0.6 s (busy machine).
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.002
CONNECT_TIMEOUT_SECONDS = 5.0
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
T = TypeVar("T")


@dataclass(frozen=True)
class PairDatabase:
    """A database of the pair and the SQLAlchemy URLs that reach it."""

    name: str
    primary_url: str
    replica_url: str
    # Both servers, primary first, with target_session_attrs=read-write: finds whichever accepts writes.
    failover_url: str


@dataclass(frozen=True)
class PairStatus:
    """What `status()` saw: which servers run, and the replication state as the primary reports it."""

    primary_running: bool
    replica_running: bool
    promoted: bool
    replication_state: str | None
    replay_lag_bytes: int | None
    databases: tuple[str, ...]


def server_settings(port: int, socket_dir: Path | None, *, fsync: bool) -> dict[str, str]:
    """The settings both servers get (the replica starts from a copy of the primary's)."""
    return {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        # Never the system's /var/run/postgresql: it may not exist, and its lock files are not ours.
        "unix_socket_directories": str(socket_dir) if socket_dir else "",
        "wal_level": "replica",
        # Test suites open several pools of up to 20 connections each; the default 100 runs out.
        "max_connections": "200",
        # Without it, vacuum on the primary can cancel a long read on the replica (a recovery conflict).
        "hot_standby_feedback": "on",
        # After the primary restarts, the replica reconnects within 0.1 s instead of the default 5 s.
        "wal_retrieve_retry_interval": "100ms",
        # Off only when asked (test suites): on a busy disk it more than halves the time to create a
        # database and a commit's latency; benchmarks keep it on.
        "fsync": "on" if fsync else "off",
    }


class PostgresPair:
    """A PostgreSQL primary and its streaming replica in one folder; a context manager that removes them."""

    def __init__(
        self,
        directory: Path,
        primary: PostgresServer,
        replica: PostgresServer,
        *,
        fsync: bool = True,
        promoted: bool = False,
    ) -> None:
        self.directory = directory
        self.primary = primary
        self.replica = replica
        self.fsync = fsync
        self.promoted = promoted

    # -- life cycle ------------------------------------------------------------------------------

    @classmethod
    def start(cls, directory: Path, *, fsync: bool = True, binaries: PostgresBinaries | None = None) -> Self:
        """Create and start a pair in `directory` (created if missing, refused if not empty).

        Returns once the replica streams from the primary. If anything fails half-way, whatever was
        started is stopped and the folder removed before the error is raised.
        """
        binaries = binaries or find_binaries()
        directory = directory.resolve()
        directory.mkdir(parents=True, exist_ok=True)
        if any(directory.iterdir()):
            raise PostgresError(f"{directory} is not empty: a pair starts in an empty or new folder")
        pair = cls(
            directory,
            PostgresServer("primary", directory / "primary", 0, binaries),
            PostgresServer("replica", directory / "replica", 0, binaries),
            fsync=fsync,
        )
        try:
            binaries.give_to_server_user(directory)
            binaries.check_writable(directory)
            pair._create()
        except BaseException:
            pair.close()
            raise
        return pair

    @classmethod
    def attach(cls, directory: Path) -> Self:
        """The pair another process started in `directory`, as recorded in its `pair.json`."""
        directory = directory.resolve()
        try:
            state = json.loads((directory / STATE_FILE).read_text())
            bindir, ports = Path(state["bindir"]), (int(state["primary_port"]), int(state["replica_port"]))
            fsync, promoted = bool(state["fsync"]), bool(state["promoted"])
        except FileNotFoundError:
            raise PostgresError(f"no PostgreSQL pair in {directory} ({STATE_FILE} is missing)") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise PostgresError(f"{directory / STATE_FILE} is not a pair's state ({exc!r})") from None
        binaries = find_binaries(bindir)
        return cls(
            directory,
            PostgresServer("primary", directory / "primary", ports[0], binaries),
            PostgresServer("replica", directory / "replica", ports[1], binaries),
            fsync=fsync,
            promoted=promoted,
        )

    def close(self) -> None:
        """Stop both servers and remove the folder; the folder stays if a server could not be stopped."""
        failures = []
        for server in (self.replica, self.primary):
            try:
                server.stop()
            except PostgresError as exc:
                failures.append(str(exc))
        if failures:
            raise PostgresError(f"kept {self.directory}: " + "; ".join(failures))
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _create(self) -> None:
        self.primary.initialise()
        self.primary = self._start_on_free_port(self.primary)
        self._save_state()
        self.primary.binaries.run(
            "pg_basebackup",
            "--host=127.0.0.1",
            f"--port={self.primary.port}",
            "--username=postgres",
            f"--pgdata={self.replica.data_dir}",
            # standby.signal and primary_conninfo: the copy starts as a streaming standby.
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            # A slot keeps the WAL a stopped replica still needs, so it always catches up when restarted.
            "--create-slot",
            f"--slot={SLOT_NAME}",
            "--no-sync",
            cwd=self.directory,
        )
        self.replica = self._start_on_free_port(self.replica)
        self._save_state()
        self.wait_until_streaming()

    def _start_on_free_port(self, server: PostgresServer) -> PostgresServer:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            server = replace(server, port=free_port())
            server.configure(server_settings(server.port, self._socket_dir(), fsync=self.fsync))
            try:
                server.start()
            except PostgresError as exc:
                if "could not bind" in str(exc) and attempt < PORT_ATTEMPTS:
                    continue
                raise
            return server
        raise AssertionError("unreachable: the last attempt raises")

    def _socket_dir(self) -> Path | None:
        socket_dir = self.directory / "sockets"
        if len(str(socket_dir)) > MAX_SOCKET_DIR_LENGTH:
            return None  # too long for a socket path: TCP on 127.0.0.1 only
        if not socket_dir.exists():
            socket_dir.mkdir()
            self.primary.binaries.give_to_server_user(socket_dir)
        return socket_dir

    def _save_state(self) -> None:
        state = {
            "bindir": str(self.primary.binaries.bindir),
            "primary_port": self.primary.port,
            "replica_port": self.replica.port,
            "fsync": self.fsync,
            "promoted": self.promoted,
        }
        (self.directory / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")

    # -- URLs ------------------------------------------------------------------------------------

    def primary_url(self, database: str) -> str:
        """URL of `database` on the primary (the services choose their driver; see `db.driver_url`)."""
        return _url(self.primary, database)

    def replica_url(self, database: str) -> str:
        """URL of `database` on the replica."""
        return _url(self.replica, database)

    def failover_url(self, database: str, servers: Sequence[PostgresServer] | None = None) -> str:
        """A multi-host URL that connects to whichever of `servers` (both, primary first) accepts writes."""
        hosts = "&".join(f"host=127.0.0.1:{server.port}" for server in servers or (self.primary, self.replica))
        return f"postgresql://postgres@/{database}?{hosts}&target_session_attrs=read-write"

    # -- databases -------------------------------------------------------------------------------

    def create_database(self, name: str) -> PairDatabase:
        """Create an empty database on the primary and return once the replica has it too."""
        _check_name(name)
        _blocking(lambda: self._create_database(name), failure=self._replica_behind)
        return self.database(name)

    def database(self, name: str) -> PairDatabase:
        """The URLs of an existing database."""
        return PairDatabase(name, self.primary_url(name), self.replica_url(name), self.failover_url(name))

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        _check_name(name)
        _blocking(lambda: self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def databases(self) -> tuple[str, ...]:
        """The names of the databases on the primary, other than `postgres` and the templates."""
        return _blocking(self._databases)

    def wait_for_replica(self, timeout: float = WAIT_SECONDS) -> None:
        """Return once the replica has replayed everything the primary has committed so far."""
        _blocking(self._wait_for_replay, seconds=timeout, failure=self._replica_behind)

    def wait_until_streaming(self, timeout: float = WAIT_SECONDS) -> None:
        """Return once the primary reports its replica as `streaming`."""
        _blocking(self._wait_until_streaming, seconds=timeout, failure=self._not_streaming)

    # -- servers, for failure and failover tests -------------------------------------------------

    def stop_replica(self, mode: StopMode = "fast") -> None:
        self.replica.stop(mode)

    def start_replica(self) -> None:
        """Start the replica; unless it was promoted, return once it streams again."""
        self.replica.start()
        self._stream_if_both_up()

    def stop_primary(self, mode: StopMode = "fast") -> None:
        self.primary.stop(mode)

    def start_primary(self) -> None:
        """Start the primary; return once the replica (if running and not promoted) streams from it again."""
        self.primary.start()
        self._stream_if_both_up()

    def promote_replica(self) -> None:
        """Make the replica a primary that accepts writes (the old primary is left as it is)."""
        self.replica.promote()
        self.promoted = True
        self._save_state()

    def ensure_running(self) -> None:
        """Start whichever server is stopped (e.g. after a test stopped one, or after a reboot)."""
        self.primary.start()
        self.replica.start()
        self._stream_if_both_up()

    def status(self) -> PairStatus:
        """Which servers run and how replication stands (`None` where the primary cannot tell)."""
        primary_running, replica_running = self.primary.is_running(), self.replica.is_running()
        state: str | None = None
        lag: int | None = None
        databases: tuple[str, ...] = ()
        if primary_running:
            state, lag, databases = _blocking(self._replication)
        return PairStatus(primary_running, replica_running, self.promoted, state, lag, databases)

    def _replica_behind(self) -> str:
        return f"the replica has not replayed the primary's WAL; its log:\n{self.replica.log_since()}"

    def _not_streaming(self) -> str:
        return f"the replica is not streaming; its log:\n{self.replica.log_since()}"

    def _stream_if_both_up(self) -> None:
        if not self.promoted and self.primary.is_running() and self.replica.is_running():
            self.wait_until_streaming()

    # -- SQL on the servers (asyncpg, run on a private event loop so callers may have their own) ---

    async def _connect(self, server: PostgresServer, database: str = "postgres") -> asyncpg.Connection:
        return await asyncpg.connect(
            host="127.0.0.1", port=server.port, user="postgres", database=database, timeout=CONNECT_TIMEOUT_SECONDS
        )

    async def _execute(self, statement: str) -> None:
        connection = await self._connect(self.primary)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def _create_database(self, name: str) -> None:
        await self._execute(f'CREATE DATABASE "{name}"')
        if not self.promoted and self.replica.is_running():
            await self._wait_for_replay()

    async def _wait_for_replay(self) -> None:
        # The flush LSN: after a commit returns, the commit record is flushed, and the replica can
        # replay exactly up to it (the insert LSN may point past a WAL page header it never reports).
        connection = await self._connect(self.primary)
        try:
            target = await connection.fetchval("SELECT pg_current_wal_flush_lsn()::text")
        finally:
            await connection.close()
        replica = await self._connect(self.replica)
        try:
            await _poll(lambda: replica.fetchval("SELECT pg_last_wal_replay_lsn() >= CAST($1::text AS pg_lsn)", target))
        finally:
            await replica.close()

    async def _wait_until_streaming(self) -> None:
        connection = await self._connect(self.primary)
        try:
            await _poll(
                lambda: connection.fetchval("SELECT count(*) > 0 FROM pg_stat_replication WHERE state = 'streaming'")
            )
        finally:
            await connection.close()

    async def _databases(self) -> tuple[str, ...]:
        connection = await self._connect(self.primary)
        try:
            rows = await connection.fetch(
                "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname"
            )
        finally:
            await connection.close()
        return tuple(str(row["datname"]) for row in rows)

    async def _replication(self) -> tuple[str | None, int | None, tuple[str, ...]]:
        connection = await self._connect(self.primary)
        try:
            row = await connection.fetchrow(
                "SELECT state, pg_wal_lsn_diff(pg_current_wal_flush_lsn(), replay_lsn)::bigint AS lag"
                " FROM pg_stat_replication LIMIT 1"
            )
        finally:
            await connection.close()
        databases = await self._databases()
        if row is None:
            return None, None, databases
        return str(row["state"]), None if row["lag"] is None else int(row["lag"]), databases


def _url(server: PostgresServer, database: str) -> str:
    return f"postgresql://postgres@127.0.0.1:{server.port}/{database}"


def _check_name(name: str) -> None:
    if not DATABASE_NAME.fullmatch(name):
        raise ValueError(
            f"database name {name!r}: use 1-63 lower-case letters, digits and _, not starting with a digit"
        )


def _blocking(
    work: Callable[[], Coroutine[Any, Any, T]],
    *,
    seconds: float = WAIT_SECONDS,
    failure: Callable[[], str] = lambda: "PostgreSQL did not answer",
) -> T:
    """Run `work` on a new event loop in a worker thread (callers may run a loop of their own), within `seconds`."""

    async def bounded() -> T:
        async with asyncio.timeout(seconds):
            return await work()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgpair") as pool:
        try:
            return pool.submit(asyncio.run, bounded()).result()
        except TimeoutError:
            raise PostgresError(f"after {seconds:.0f} s, {failure()}") from None


async def _poll(check: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    # PostgreSQL has no notification for replay progress or a standby's state: ask until it is true.
    while True:
        if await check():
            return
        await asyncio.sleep(POLL_SECONDS)
