"""The PostgreSQL timeouts and pool limits on real servers: each turns a server that cannot answer into a 503.

A statement that waits on a lock past the statement timeout, a server that accepts connections but never answers
them (its postmaster stopped with SIGSTOP: the kernel still completes the TCP handshake), and more work than the
pool has threads for: each gives `DatabaseUnavailable` (503 with Retry-After), the cause it names is checked,
and the next transaction after the trouble works. Nothing asserts a duration: the outcome shows which limit
ended the wait.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, bindparam, insert, select, update

from dataservices.common.db import Database, DatabaseUnavailable
from dataservices.common.replica import ReplicaStatus
from dataservices.common.settings import DatabaseLimits
from dataservices.pgpair import PairDatabase, PostgresPair
from tests.fixtures.replication import frozen, server_of

notes = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("body", Text, nullable=False))
RENAME = update(notes).where(notes.c.id == bindparam("b_id")).values(body=bindparam("b_body"))


def _run(work: Any) -> Any:
    return asyncio.run(asyncio.wait_for(work, 60))


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of the driver error behind a `DatabaseUnavailable`, if the server sent one."""
    return getattr(getattr(error.__cause__, "orig", None), "sqlstate", None)


@pytest.fixture
def notes_database(postgres_database: PairDatabase, postgres_pair: PostgresPair) -> PairDatabase:
    """The test's database with a `notes` table holding note 1, already on the replica."""
    setup = Database(postgres_database.primary_url)

    def create(tx: Any) -> None:
        tx.execute_sql("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")
        tx.execute(insert(notes), {"body": "first"})

    _run(setup.write(create))
    _run(setup.dispose())
    postgres_pair.wait_for_replica()
    return postgres_database


def test_a_write_waiting_on_a_lock_past_the_statement_timeout_is_unavailable(notes_database: PairDatabase) -> None:
    database = Database(notes_database.primary_url, limits=DatabaseLimits(statement_timeout_ms=200))
    try:
        with psycopg.connect(notes_database.primary_url, connect_timeout=5) as other:
            other.execute("SELECT * FROM notes WHERE id = 1 FOR UPDATE")  # held until `other` rolls back
            with pytest.raises(DatabaseUnavailable) as caught:
                _run(database.write(lambda tx: tx.execute(RENAME, {"b_id": 1, "b_body": "blocked"})))
            assert _sqlstate(caught.value) == "57014"  # canceling statement due to statement timeout
            other.rollback()
        _run(database.write(lambda tx: tx.execute(RENAME, {"b_id": 1, "b_body": "after"})))
        assert _run(database.read(lambda tx: tx.scalar(select(notes.c.body)))) == "after"
    finally:
        _run(database.dispose())


def test_a_primary_that_accepts_connections_but_never_answers_is_unavailable_after_the_connect_timeout(
    notes_database: PairDatabase, postgres_pair: PostgresPair
) -> None:
    database = Database(notes_database.primary_url, limits=DatabaseLimits(connect_timeout_seconds=2))
    try:
        with frozen(postgres_pair.primary):
            with pytest.raises(DatabaseUnavailable) as caught:
                _run(database.write(lambda tx: tx.execute(RENAME, {"b_id": 1, "b_body": "never"})))
            assert "timeout" in str(caught.value.__cause__)  # libpq: "connection timeout expired"
        _run(database.write(lambda tx: tx.execute(RENAME, {"b_id": 1, "b_body": "thawed"})))
        assert _run(database.read(lambda tx: tx.scalar(select(notes.c.body)))) == "thawed"
    finally:
        _run(database.dispose())


def test_reads_move_to_the_primary_when_the_replica_accepts_connections_but_never_answers(
    notes_database: PairDatabase, postgres_pair: PostgresPair
) -> None:
    limits = DatabaseLimits(connect_timeout_seconds=2, replica_max_lag_seconds=3600)
    database = Database(notes_database.primary_url, notes_database.replica_url, limits=limits)
    try:
        with frozen(postgres_pair.replica):
            port, standby, _ = _run(database.read(server_of))
            assert (port, standby) == (postgres_pair.primary.port, False)
            assert database.replica_status() is ReplicaStatus.DOWN
    finally:
        _run(database.dispose())


def test_work_the_pool_cannot_start_before_the_deadline_is_unavailable_and_never_runs(
    notes_database: PairDatabase,
) -> None:
    # One database thread, taken for a second by a statement; the second write may wait a tenth of that.
    database = Database(notes_database.primary_url, deadline_seconds=0.1, limits=DatabaseLimits(pool_size=1))

    async def both() -> tuple[Any, Any]:
        sleeper = asyncio.ensure_future(database.write(lambda tx: tx.execute_sql("SELECT pg_sleep(1)")))
        await asyncio.sleep(0.05)  # the sleeper has the only thread (it needs no connection yet to hold it)
        queued = database.write(lambda tx: tx.execute(insert(notes), {"body": "queued"}))
        results = await asyncio.gather(sleeper, queued, return_exceptions=True)
        return results[0], results[1]

    try:
        slept, queued = _run(both())
        assert not isinstance(slept, BaseException)
        assert isinstance(queued, DatabaseUnavailable)
        assert "did not take the request" in str(queued)
        # The refused write never ran: it was dropped before a thread took it, not rolled back after.
        assert _run(database.read(lambda tx: [row.body for row in tx.execute(select(notes.c.body))])) == ["first"]
    finally:
        _run(database.dispose())
