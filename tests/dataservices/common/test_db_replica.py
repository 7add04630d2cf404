"""Read routing on a real PostgreSQL primary and streaming replica, and what happens when either fails.

Every route is proved by the server that ran the transaction, seen from inside it (`inet_server_port()`,
`pg_is_in_recovery()`), never by what the code meant to do. The replica is made to lag by pausing its replay
(it keeps receiving WAL), so "the replica has not replayed the token yet" is a state the test holds, not a race.
Servers are stopped and started for real; the pair fixture starts a stopped one again after the test.
Nothing here asserts a duration: a check that must pass a lag limit sleeps past it first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, bindparam, func, insert, select, text

from dataservices.common.db import Database, DatabaseUnavailable
from dataservices.common.replica import ReplicaStatus
from dataservices.common.settings import DatabaseLimits
from dataservices.common.sql import Transaction
from dataservices.pgpair import PairDatabase, PostgresPair
from tests.fixtures.replication import replay_paused, server_of

T = TypeVar("T")
notes = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("body", Text, nullable=False))
NOTE = select(notes.c.body).where(notes.c.id == bindparam("id"))
# Long enough that a paused replica never counts as lagging while a test runs, unless the test wants it to.
PATIENT = DatabaseLimits(replica_max_lag_seconds=3600)
# What the replica monitor needs to see a replica come back: a few checks, bounded so a bug fails, not hangs.
STATUS_POLLS = 200
STATUS_POLL_SECONDS = 0.05


def _run(work: Any) -> Any:
    return asyncio.run(asyncio.wait_for(work, 60))


@pytest.fixture
def make_database(postgres_database: PairDatabase) -> Iterator[Callable[..., Database]]:
    """Databases on the test's PostgreSQL database (primary and replica), the notes table created; disposed after."""
    made: list[Database] = []

    def make(primary_url: str | None = None, limits: DatabaseLimits = PATIENT) -> Database:
        database = Database(primary_url or postgres_database.primary_url, postgres_database.replica_url, limits=limits)
        made.append(database)
        return database

    setup = Database(postgres_database.primary_url)
    _run(setup.write(lambda tx: tx.execute_sql("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")))
    _run(setup.dispose())
    try:
        yield make
    finally:
        for database in made:
            _run(database.dispose())


def _write_note(database: Database, body: str) -> tuple[int, str]:
    written = _run(database.write(lambda tx: tx.execute(insert(notes).returning(notes.c.id), {"body": body}).scalar()))
    return written.value, written.token


def _read_note(database: Database, note_id: int, token: str | None) -> tuple[str | None, int, bool, str]:
    """The note's body as the serving server sees it (None if it does not have it), and which server that was."""

    def read(tx: Transaction) -> tuple[str | None, int, bool, str]:
        body = tx.scalar(NOTE, {"id": note_id})
        port, standby, read_only = server_of(tx)
        return body, port, standby, read_only

    result: tuple[str | None, int, bool, str] = _run(database.read(read, token))
    return result


def _served_by(database: Database, token: str | None = None) -> int:
    port: int = _run(database.read(lambda tx: server_of(tx).port, token))
    return port


def _wait_for_status(database: Database, wanted: ReplicaStatus) -> None:
    for _ in range(STATUS_POLLS):
        if database.replica_status() is wanted:
            return
        time.sleep(STATUS_POLL_SECONDS)
    raise AssertionError(f"the replica never became {wanted}; it is {database.replica_status()}")


def test_a_read_without_a_token_is_served_by_the_replica_read_only(
    make_database: Callable[..., Database], postgres_pair: PostgresPair
) -> None:
    database = make_database()
    port, standby, read_only = _run(database.read(server_of))
    assert (port, standby, read_only) == (postgres_pair.replica.port, True, "on")
    assert database.replica_status() is ReplicaStatus.UP


def test_a_read_with_a_token_goes_to_the_replica_once_it_has_replayed_it_and_to_the_primary_before(
    make_database: Callable[..., Database], postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    database = make_database()
    with replay_paused(postgres_database.replica_url):
        note_id, token = _write_note(database, "written while replay is paused")
        # The replica has not replayed the write: the primary serves the read, in a read-only transaction.
        assert _read_note(database, note_id, token) == (
            "written while replay is paused",
            postgres_pair.primary.port,
            False,
            "on",
        )
        # Without the token the replica serves it, and does not have the row: what the token protects against.
        assert _read_note(database, note_id, None) == (None, postgres_pair.replica.port, True, "on")
    postgres_pair.wait_for_replica()
    assert _read_note(database, note_id, token) == (
        "written while replay is paused",
        postgres_pair.replica.port,
        True,
        "on",
    )


@pytest.mark.parametrize("token", ["sqlite.3", "pg.zz-1", "pg.1-2-3", "pg.", "pg.123456789-0", "0/16B3A58"])
def test_a_token_the_service_did_not_issue_is_served_by_the_primary(
    make_database: Callable[..., Database], postgres_pair: PostgresPair, token: str
) -> None:
    assert _served_by(make_database(), token) == postgres_pair.primary.port


def test_reads_cannot_write_on_either_server(
    make_database: Callable[..., Database], postgres_pair: PostgresPair
) -> None:
    database = make_database()

    def sneaky_write(tx: Transaction) -> None:
        tx.execute(insert(notes), {"body": "must not be written"})

    for token in (None, "not ours"):  # the replica, then the primary
        with pytest.raises(DatabaseUnavailable):  # SQLSTATE 25006: read-only transaction
            _run(database.read(sneaky_write, token))
    assert _run(database.read(lambda tx: tx.execute(select(notes.c.id)).all(), "not ours")) == []


@pytest.mark.parametrize("synchronous_commit", ["on", "off"])
def test_every_read_with_its_write_token_sees_the_write(
    make_database: Callable[..., Database], postgres_database: PairDatabase, synchronous_commit: str
) -> None:
    """Read-your-writes, straight after each commit; with synchronous_commit off the flush position lags the commit."""
    settings = Database(postgres_database.primary_url)
    with settings.write_engine.connect() as connection:  # every new session of the database gets the setting
        connection.execute(
            text(f"ALTER DATABASE {postgres_database.name} SET synchronous_commit = {synchronous_commit}")
        )
        connection.commit()
    _run(settings.dispose())
    database = make_database()

    async def write_then_read(round_: int) -> bool:
        written = await database.write(
            lambda tx: tx.execute(insert(notes).returning(notes.c.id), {"body": f"note {round_}"}).scalar()
        )
        body = await database.read(lambda tx: tx.scalar(NOTE, {"id": written.value}), written.token)
        return bool(body == f"note {round_}")

    async def rounds() -> list[bool]:
        setting = await database.write(lambda tx: tx.scalar(select(func.current_setting("synchronous_commit"))))
        assert setting.value == synchronous_commit
        return [await write_then_read(round_) for round_ in range(300)]

    assert all(_run(rounds()))


def test_a_stopped_replica_sends_reads_to_the_primary_and_is_used_again_once_back(
    make_database: Callable[..., Database], postgres_pair: PostgresPair
) -> None:
    database = make_database()
    assert _served_by(database) == postgres_pair.replica.port
    postgres_pair.stop_replica()
    # The first read finds the replica gone and is served by the primary; so is every read after it.
    assert _served_by(database) == postgres_pair.primary.port
    assert database.replica_status() is ReplicaStatus.DOWN
    assert _served_by(database) == postgres_pair.primary.port
    postgres_pair.start_replica()
    _wait_for_status(database, ReplicaStatus.UP)
    assert _served_by(database) == postgres_pair.replica.port


def test_the_monitor_finds_a_stopped_replica_before_any_read_does(
    make_database: Callable[..., Database], postgres_pair: PostgresPair
) -> None:
    database = make_database()
    assert database.replica is not None
    assert database.replica_status() is ReplicaStatus.UP
    postgres_pair.stop_replica()
    database.replica.check()
    assert database.replica_status() is ReplicaStatus.DOWN
    assert _served_by(database) == postgres_pair.primary.port


def test_a_replica_lagging_past_the_limit_sends_reads_to_the_primary_until_it_catches_up(
    make_database: Callable[..., Database], postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    limits = DatabaseLimits(replica_max_lag_seconds=0.2)
    database = make_database(limits=limits)
    assert database.replica is not None
    with replay_paused(postgres_database.replica_url):
        database.replica.check()  # an idle primary: nothing to replay, so no lag however long replay is paused
        time.sleep(limits.replica_max_lag_seconds)
        database.replica.check()
        assert database.replica_status() is ReplicaStatus.UP
        note_id, _ = _write_note(database, "the replica will not replay this")
        database.replica.check()  # the primary's position now includes the note
        time.sleep(limits.replica_max_lag_seconds)
        database.replica.check()
        assert database.replica_status() is ReplicaStatus.LAGGING
        # Reads without a token now come from the primary, which has the note.
        assert _read_note(database, note_id, None)[:2] == (
            "the replica will not replay this",
            postgres_pair.primary.port,
        )
    _wait_for_status(database, ReplicaStatus.UP)
    assert _read_note(database, note_id, None)[:2] == ("the replica will not replay this", postgres_pair.replica.port)


def test_with_the_primary_stopped_writes_are_unavailable_reads_go_on_and_all_recovers(
    make_database: Callable[..., Database], postgres_pair: PostgresPair
) -> None:
    database = make_database()
    kept_id, kept_token = _write_note(database, "before the stop")
    postgres_pair.wait_for_replica()
    postgres_pair.stop_primary()
    with pytest.raises(DatabaseUnavailable):
        _write_note(database, "refused")
    with pytest.raises(DatabaseUnavailable):
        _run(database.check_writable("notes"))
    # The replica has the note the token names, so the read needs no primary; without a token neither.
    assert _read_note(database, kept_id, kept_token)[:2] == ("before the stop", postgres_pair.replica.port)
    assert _read_note(database, kept_id, None)[:2] == ("before the stop", postgres_pair.replica.port)
    postgres_pair.start_primary()
    # Connections to the old primary process are replaced before use: the first write after the restart works.
    note_id, token = _write_note(database, "after the restart")
    _run(database.check_writable("notes"))
    assert _read_note(database, note_id, token)[0] == "after the restart"
    bodies = _run(database.read(lambda tx: [row.body for row in tx.execute(select(notes.c.body))], "not ours"))
    assert sorted(bodies) == ["after the restart", "before the stop"]  # the refused write left nothing


def test_after_promotion_the_failover_url_writes_to_the_promoted_replica(fresh_postgres_pair: PostgresPair) -> None:
    pair = fresh_postgres_pair
    urls = pair.create_database("promoted")
    setup = Database(urls.primary_url)
    _run(setup.write(lambda tx: tx.execute_sql("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")))
    _run(setup.dispose())
    database = Database(urls.failover_url, urls.replica_url, limits=PATIENT)
    try:
        before_id, _ = _write_note(database, "before the failover")
        pair.wait_for_replica()
        pair.stop_primary()
        pair.promote_replica()
        written = _run(database.write(lambda tx: (tx.execute(insert(notes), {"body": "after"}), server_of(tx))[1]))
        assert written.value.port == pair.replica.port
        assert written.value.standby is False
        # The promoted server is no replica of anything: reads go to the primary, which is that server now.
        assert database.replica is not None
        database.replica.check()
        assert database.replica_status() is ReplicaStatus.DOWN
        body, port, standby, _ = _read_note(database, before_id, written.token)
        assert (body, port, standby) == ("before the failover", pair.replica.port, False)
    finally:
        _run(database.dispose())
