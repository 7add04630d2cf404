"""Core statements on the driver's cursor: the values, rows and errors SQLAlchemy would give, on a SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from dataservices.common.db import Database, UTCDateTime, insert_for
from dataservices.common.sql import CACHE_SIZE, Transaction, prepare

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", String(10), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("seen_at", UTCDateTime(), nullable=True),
    Column("labels", JSON, nullable=True),
    Column("payload", LargeBinary, nullable=True),
)
t = things.c
PARIS = timezone(timedelta(hours=1))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'things.db'}"
    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    database = Database(url)
    yield database
    asyncio.run(database.dispose())


def _run(database: Database, work: Any) -> Any:
    """Run `work(tx)` in one write transaction of the database and give back what it returned."""
    with database.write_engine.connect() as connection, connection.begin():
        return work(Transaction(connection))


def test_values_go_in_and_come_out_as_sqlalchemy_types_them(database: Database) -> None:
    seen = datetime(2026, 5, 1, 12, 30, 15, 250000, tzinfo=PARIS)

    def write_and_read(tx: Transaction) -> Any:
        tx.execute(
            insert(things), {"id": "a", "size": 3, "seen_at": seen, "labels": {"k": [1, "é"]}, "payload": b"\0x"}
        )
        return tx.execute(select(things).where(t.id == bindparam("id")), {"id": "a"}).one()

    row = _run(database, write_and_read)

    assert row.seen_at == seen  # an aware datetime, back in UTC
    assert row.seen_at.tzinfo == UTC
    assert row.labels == {"k": [1, "é"]}
    assert row.payload == b"\0x"
    assert (row.id, row.size) == ("a", 3)
    assert row == ("a", 3, seen, {"k": [1, "é"]}, b"\0x")  # rows are tuples too


def test_literals_written_into_a_statement_are_sent_with_it(database: Database) -> None:
    def work(tx: Transaction) -> Any:
        tx.execute(insert(things), {"id": "a", "size": 1})
        tx.execute(insert(things), {"id": "b", "size": 2})
        grown = tx.execute(update(things).where(t.id == "a").values(size=t.size + 10))
        either = select(t.id).where(or_(t.size == 11, t.size == 2)).order_by(t.id)
        return grown.rowcount, [row.id for row in tx.execute(either)]

    assert _run(database, work) == (1, ["a", "b"])


def test_a_bare_insert_takes_its_columns_from_each_calls_names(database: Database) -> None:
    statement = insert(things)

    def work(tx: Transaction) -> Any:
        tx.execute(statement, {"id": "a", "size": 1})
        tx.execute(statement, {"id": "b", "size": 2, "labels": ["x"]})  # the same statement, more columns
        return tx.execute(select(t.id, t.labels).order_by(t.id)).all()

    assert [tuple(row) for row in _run(database, work)] == [("a", None), ("b", ["x"])]


def test_one_name_bound_twice_is_converted_once(database: Database) -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    mark = bindparam("now")
    stamp = update(things).where(or_(t.seen_at.is_(None), t.seen_at < mark)).values(seen_at=mark)

    def work(tx: Transaction) -> Any:
        tx.execute(insert(things), {"id": "a", "size": 1})
        changed = tx.execute(stamp, {"now": now}).rowcount
        return changed, tx.scalar(select(t.seen_at))

    assert _run(database, work) == (1, now)


def test_results_first_one_scalar_and_rowcount(database: Database) -> None:
    def work(tx: Transaction) -> Any:
        tx.execute(insert(things), {"id": "a", "size": 1})
        empty = tx.execute(select(things).where(t.id == "missing"))
        returned = tx.execute(insert_for("sqlite", things).values(id="b", size=2).returning(t.id, t.size))
        return empty.first(), empty.scalar(), returned.one(), tx.scalar(select(func.count()).select_from(things))

    nothing, no_value, (new_id, size), count = _run(database, work)
    assert (nothing, no_value, new_id, size, count) == (None, None, "b", 2, 2)

    with pytest.raises(LookupError, match="exactly one row, got 0"):
        _run(database, lambda tx: tx.execute(select(things).where(t.id == "missing")).one())


def test_driver_errors_are_sqlalchemys_classes_and_roll_back(database: Database) -> None:
    def duplicate(tx: Transaction) -> None:
        tx.execute(insert(things), {"id": "a", "size": 1})
        tx.execute(insert(things), {"id": "a", "size": 2})

    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: things\.id") as caught:
        _run(database, duplicate)
    assert caught.value.statement is not None
    assert "INSERT INTO things" in caught.value.statement
    assert _run(database, lambda tx: tx.scalar(select(func.count()).select_from(things))) == 0

    with pytest.raises(OperationalError, match="no such table"):
        _run(database, lambda tx: tx.execute(text("SELECT * FROM nowhere")))
    with pytest.raises(OperationalError, match="incomplete input"):
        _run(database, lambda tx: tx.execute_sql("SAVEPOINT"))


def test_expanding_in_lists_are_refused_with_the_way_out() -> None:
    with pytest.raises(ValueError, match=r"spell the set out with or_\(\)"):
        prepare(select(t.id).where(t.size.in_([1, 2])), postgresql.psycopg.dialect())


def test_postgresql_statements_compile_with_named_parameters_and_casts() -> None:
    prepared = prepare(select(t.id).where(t.id == bindparam("id"), t.size > 3), postgresql.psycopg.dialect())
    assert "%(id)s" in prepared.sql
    assert prepared.parameters({"id": "a"}) == {"id": "a", "size_1": 3}


def test_statements_built_per_call_never_grow_the_cache_past_its_size(database: Database) -> None:
    def many(tx: Transaction) -> int:
        for size in range(CACHE_SIZE + 10):
            tx.execute(select(t.id).where(t.size == size))
        cache: dict[Any, Any] = tx._cache
        return len(cache)

    assert _run(database, many) <= CACHE_SIZE


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 5, 1, 0, 30, tzinfo=timezone(timedelta(hours=9))),
    ],
)
def test_sqlite_keeps_timestamps_in_sqlalchemys_own_text_format(moment: datetime) -> None:
    # Rows written before UTCDateTime formatted its own text must read back, and sort, the same.
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    back = UTCDateTime().result_processor(dialect, None)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None
    assert back is not None
    assert theirs is not None
    text_value = ours(moment)
    assert text_value == theirs(moment.astimezone(UTC).replace(tzinfo=None))
    assert back(text_value) == moment
    assert back(text_value).tzinfo == UTC
