"""The PostgreSQL pair against real servers: replication, a read-only replica, stops and starts, promotion."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from dataservices.common.db import driver_url
from dataservices.pgpair import PairDatabase, PostgresBinaries, PostgresError, PostgresPair
from dataservices.pgpair.server import process_alive

T = TypeVar("T")
# Every statement here takes milliseconds; a bound turns a hang (e.g. a commit waiting for a replica) into a failure.
STATEMENT_BOUND_SECONDS = 30


def _run(work: Awaitable[T]) -> T:
    return asyncio.run(asyncio.wait_for(work, STATEMENT_BOUND_SECONDS))


async def _sql(url: str, statement: str, **params: Any) -> Any:
    """Run one statement in its own transaction on a new connection; the first column of the first row, if any."""

    def run() -> Any:
        # The services' driver, with a bounded connect: a server that is down refuses at once.
        engine = create_engine(driver_url(url), connect_args={"connect_timeout": 5}, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                result = connection.execute(text(statement), params)
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    return await asyncio.to_thread(run)


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def test_a_row_written_on_the_primary_is_read_on_the_replica_once_replayed(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    _run(_sql(postgres_database.primary_url, "CREATE TABLE notes (body text)"))
    _run(_sql(postgres_database.primary_url, "INSERT INTO notes VALUES ('written on the primary')"))
    postgres_pair.wait_for_replica()
    assert _run(_sql(postgres_database.replica_url, "SELECT body FROM notes")) == "written on the primary"
    # The two URLs reach two different servers, one of them a standby.
    assert _run(_sql(postgres_database.replica_url, "SELECT pg_is_in_recovery()")) is True
    assert _run(_sql(postgres_database.primary_url, "SELECT pg_is_in_recovery()")) is False


def test_the_replica_refuses_writes_with_sqlstate_25006(postgres_database: PairDatabase) -> None:
    with pytest.raises(DBAPIError) as refused:
        _run(_sql(postgres_database.replica_url, "CREATE TABLE refused (id int)"))
    assert _sqlstate(refused.value) == "25006"  # read_only_sql_transaction


def test_each_database_is_new_and_gone_from_both_servers_once_dropped(postgres_pair: PostgresPair) -> None:
    database = postgres_pair.create_database("dropped_soon")
    count_tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    # No wait: create_database returns only once the replica has the database.
    assert _run(_sql(database.replica_url, count_tables)) == 0
    assert "dropped_soon" in postgres_pair.databases()
    postgres_pair.drop_database("dropped_soon")
    assert "dropped_soon" not in postgres_pair.databases()
    with pytest.raises(DBAPIError) as missing:
        _run(_sql(database.primary_url, "SELECT 1"))
    assert 'database "dropped_soon" does not exist' in str(missing.value)


def test_a_stopped_replica_refuses_connections_and_catches_up_when_started(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    _run(_sql(postgres_database.primary_url, "CREATE TABLE notes (body text)"))
    pid = postgres_pair.replica.pid()
    postgres_pair.stop_replica()
    assert pid is not None
    assert not process_alive(pid)
    assert not postgres_pair.replica.is_running()
    with pytest.raises(DBAPIError, match="Connection refused"):
        _run(_sql(postgres_database.replica_url, "SELECT 1"))
    # Replication is asynchronous: the primary commits while its replica is down.
    _run(_sql(postgres_database.primary_url, "INSERT INTO notes VALUES ('written while the replica was down')"))
    postgres_pair.start_replica()
    postgres_pair.wait_for_replica()
    assert _run(_sql(postgres_database.replica_url, "SELECT body FROM notes")) == "written while the replica was down"


def test_with_the_primary_stopped_the_replica_serves_reads_and_refuses_writes(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    _run(_sql(postgres_database.primary_url, "CREATE TABLE notes (body text)"))
    _run(_sql(postgres_database.primary_url, "INSERT INTO notes VALUES ('before the stop')"))
    postgres_pair.wait_for_replica()
    postgres_pair.stop_primary()
    assert not postgres_pair.primary.is_running()
    with pytest.raises(DBAPIError, match="Connection refused"):
        _run(_sql(postgres_database.primary_url, "SELECT 1"))
    assert _run(_sql(postgres_database.replica_url, "SELECT body FROM notes")) == "before the stop"
    with pytest.raises(DBAPIError) as refused:
        _run(_sql(postgres_database.replica_url, "INSERT INTO notes VALUES ('refused')"))
    assert _sqlstate(refused.value) == "25006"
    postgres_pair.start_primary()
    _run(_sql(postgres_database.primary_url, "INSERT INTO notes VALUES ('after the restart')"))
    postgres_pair.wait_for_replica()
    assert _run(_sql(postgres_database.replica_url, "SELECT count(*) FROM notes")) == 2


def test_the_failover_url_skips_a_standby_listed_first(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    replica_first = postgres_pair.failover_url(postgres_database.name, [postgres_pair.replica, postgres_pair.primary])
    assert _run(_sql(replica_first, "SELECT inet_server_port()")) == postgres_pair.primary.port


def test_promotion_makes_the_replica_writable_and_the_failover_url_finds_it(
    fresh_postgres_pair: PostgresPair,
) -> None:
    pair = fresh_postgres_pair
    database = pair.create_database("orders")
    _run(_sql(database.primary_url, "CREATE TABLE notes (body text)"))
    _run(_sql(database.primary_url, "INSERT INTO notes VALUES ('before the failover')"))
    pair.wait_for_replica()
    pair.stop_primary()
    pair.promote_replica()
    _run(_sql(database.replica_url, "INSERT INTO notes VALUES ('on the promoted replica')"))
    assert _run(_sql(database.replica_url, "SELECT count(*) FROM notes")) == 2
    # The primary is listed first and refuses connections; the promoted replica accepts writes.
    assert _run(_sql(database.failover_url, "SELECT inet_server_port()")) == pair.replica.port
    assert _run(_sql(database.failover_url, "SELECT pg_is_in_recovery()")) is False

    pids = [pair.primary.pid(), pair.replica.pid()]
    pair.close()
    assert not pair.directory.exists()
    assert not any(pid is not None and process_alive(pid) for pid in pids)


def test_a_pair_starts_only_in_an_empty_folder(postgres_binaries: PostgresBinaries, tmp_path: Path) -> None:
    (tmp_path / "something.txt").write_text("not ours to overwrite")
    with pytest.raises(PostgresError, match="not empty"):
        PostgresPair.start(tmp_path, binaries=postgres_binaries)
    assert (tmp_path / "something.txt").read_text() == "not ours to overwrite"


@pytest.mark.parametrize("name", ["Orders", "1st", "orders-2", 'x"; DROP DATABASE postgres; --', "a" * 64, ""])
def test_database_names_must_be_plain_identifiers(postgres_pair: PostgresPair, name: str) -> None:
    with pytest.raises(ValueError, match="database name"):
        postgres_pair.create_database(name)
