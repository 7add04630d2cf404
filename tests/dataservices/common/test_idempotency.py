"""Idempotency keys on a real SQLite database: one transaction for key, work and answer; replays, takeovers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from dataservices.common.db import Database
from dataservices.common.idempotency import IdempotencyKeyInUse, IdempotencyKeys, KeyedRequest, StoredResponse
from dataservices.common.migrate import upgrade
from dataservices.common.problems import Problem, render_problem
from dataservices.common.sql import Transaction
from dataservices.common.timestamps import utc_now
from dataservices.coupon.spec import SPEC as COUPON
from dataservices.coupon.tables import coupons, idempotency_keys

REQUEST = KeyedRequest(client_id="c", key="k", fingerprint="d", instance="/v1/things")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path}/coupon.db"
    upgrade(COUPON, url)
    database = Database(url)
    yield database
    asyncio.run(database.dispose())


def _keys(database: Database, lock_seconds: int = 300) -> IdempotencyKeys:
    return IdempotencyKeys(
        database, idempotency_keys, ttl_seconds=86400, lock_seconds=lock_seconds, problem_base_uri="https://e/"
    )


def _never_keep(problem: Problem) -> bool:
    return False


def _count(tx: Transaction, table: object = idempotency_keys) -> int:
    return int(tx.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def _key_row(tx: Transaction, key: str, state: str, locked_at: object, expires_at: object) -> None:
    tx.execute(
        idempotency_keys.insert().values(
            client_id="c", idempotency_key=key, fingerprint="d", state=state, locked_at=locked_at, expires_at=expires_at
        )
    )


def test_work_runs_once_and_the_retry_is_a_replay(database: Database) -> None:
    calls: list[int] = []

    def work(tx: Transaction) -> StoredResponse:
        calls.append(1)
        return StoredResponse(status=201, body=b'{"n":1}', headers={"Location": "/x"})

    async def scenario() -> tuple[StoredResponse, StoredResponse]:
        keys = _keys(database)
        first = await keys.run(REQUEST, work, _never_keep)
        second = await keys.run(REQUEST, work, _never_keep)
        return first.value, second.value

    first, second = asyncio.run(scenario())
    assert calls == [1]
    assert (second.status, second.body, second.headers, second.replayed) == (201, b'{"n":1}', {"Location": "/x"}, True)
    assert not first.replayed


def test_a_claim_left_by_a_dead_request_is_taken_over(database: Database) -> None:
    async def scenario() -> StoredResponse:
        old = utc_now() - timedelta(seconds=61)
        await database.write(lambda tx: _key_row(tx, "k", "IN_FLIGHT", old, old + timedelta(days=1)))
        work = lambda tx: StoredResponse(status=201, body=b"done")  # noqa: E731
        return (await _keys(database, lock_seconds=60).run(REQUEST, work, _never_keep)).value

    assert asyncio.run(scenario()).body == b"done"


def test_a_request_whose_claim_was_taken_over_cannot_commit(database: Database) -> None:
    """If another request took the key over meanwhile, this request's work is rolled back."""

    def work(tx: Transaction) -> StoredResponse:
        now = utc_now()
        tx.execute(
            coupons.insert().values(
                id="cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K",
                code="LOST1",
                name="n",
                currency="EUR",
                discount_type="PERCENTAGE",
                discount_percent=10,
                starts_at=now,
                expires_at=now + timedelta(days=1),
                per_user_limit=1,
                status="ACTIVE",
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        # What a takeover does: the key row now carries another request's claim time.
        tx.execute(update(idempotency_keys).values(locked_at=now + timedelta(seconds=1)))
        return StoredResponse(status=201, body=b"mine")

    async def scenario() -> int:
        with pytest.raises(IdempotencyKeyInUse):
            await _keys(database).run(REQUEST, work, _never_keep)
        return await database.read(lambda tx: _count(tx, coupons))

    assert asyncio.run(scenario()) == 0


def test_an_unexpected_failure_leaves_no_claim(database: Database) -> None:
    def failing(tx: Transaction) -> StoredResponse:
        raise RuntimeError("boom")

    async def scenario() -> int:
        with pytest.raises(RuntimeError):
            await _keys(database).run(REQUEST, failing, _never_keep)
        return await database.read(_count)

    assert asyncio.run(scenario()) == 0


def test_expired_keys_are_purged(database: Database) -> None:
    def rows(tx: Transaction) -> None:
        past = utc_now() - timedelta(days=2)
        _key_row(tx, "old", "COMPLETED", past, past)
        _key_row(tx, "new", "COMPLETED", past, utc_now() + timedelta(hours=1))

    async def scenario() -> tuple[int, int]:
        await database.write(rows)
        purged = await _keys(database).purge_expired()
        return purged, await database.read(_count)

    assert asyncio.run(scenario()) == (1, 1)


class _Refused(Problem):
    slug, title, status, code = "refused", "Refused", 409, "REFUSED"


def test_a_kept_refusal_is_the_keys_outcome_and_its_work_is_undone(database: Database) -> None:
    def refusing(tx: Transaction) -> StoredResponse:
        now = utc_now()
        _key_row(tx, "written-then-undone", "COMPLETED", now, now + timedelta(days=1))
        raise _Refused("No more.")

    async def scenario() -> tuple[StoredResponse, StoredResponse, int]:
        keys = _keys(database)
        first = (await keys.run(REQUEST, refusing, lambda problem: isinstance(problem, _Refused))).value
        again = (await keys.run(REQUEST, refusing, lambda problem: isinstance(problem, _Refused))).value
        return first, again, await database.read(_count)

    first, again, rows = asyncio.run(scenario())
    assert (first.status, first.media_type, first.replayed) == (409, "application/problem+json", False)
    assert b'"code":"REFUSED"' in first.body
    assert b'"instance":"/v1/things"' in first.body
    assert (again.status, again.body, again.replayed) == (409, first.body, True)
    assert rows == 1  # the refusal's key row; the row the work wrote was rolled back with it


def test_a_recorded_refusal_is_the_problem_as_any_answer_renders_it(database: Database) -> None:
    refusal = _Refused("Try again tomorrow.", headers={"Retry-After": "86400"})

    def refusing(tx: Transaction) -> StoredResponse:
        raise refusal

    async def scenario() -> tuple[StoredResponse, StoredResponse]:
        keys = _keys(database)
        first = (await keys.run(REQUEST, refusing, lambda problem: True)).value
        again = (await keys.run(REQUEST, refusing, lambda problem: True)).value
        return first, again

    first, again = asyncio.run(scenario())
    rendered = render_problem(refusal, "https://e/", REQUEST.instance)
    for answer in (first, again):
        assert (answer.status, answer.media_type, answer.body) == (rendered.status, rendered.media_type, rendered.body)
        assert answer.headers == {"Retry-After": "86400"}


def test_a_write_names_its_transaction_with_a_consistency_token(database: Database) -> None:
    def work(tx: Transaction) -> StoredResponse:
        return StoredResponse(status=201, body=b"{}")

    async def scenario() -> tuple[str, str]:
        keys = _keys(database)
        first = await keys.run(REQUEST, work, _never_keep)
        second = await keys.run(KeyedRequest("c", "k2", "d", "/x"), work, _never_keep)
        return first.token, second.token

    first, second = asyncio.run(scenario())
    assert first.startswith("sqlite.")
    assert first != second
