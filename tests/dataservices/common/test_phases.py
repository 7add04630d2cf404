"""Work in atomic phases on a real database: every failure point resumes, nothing runs twice.

The work under test is a small transfer: phase one records the transfer (local), phase two calls a
"bank" (another service, here an in-memory stand-in that, like every service of ours, runs a keyed
request once and replays it after) and records its receipt, phase three answers. Each step can be made
to fail once; a retry with the same key must finish with one transfer row, one bank movement and one
answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select, update

from dataservices.common.db import Database, UTCDateTime
from dataservices.common.idempotency import (
    COMPLETED,
    IN_FLIGHT,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyKeys,
    KeyedRequest,
    StoredResponse,
    idempotency_table,
)
from dataservices.common.phases import Advance, Phase, PhasedWork, Progress
from dataservices.common.sql import Transaction
from dataservices.common.timestamps import utc_now

metadata = MetaData()
keys_table = idempotency_table(metadata)
transfers = Table(
    "transfers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("amount", Integer, nullable=False),
    Column("receipt", String(80), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

REQUEST = KeyedRequest(client_id="shop", key="order-7", fingerprint="f" * 64, instance="/v1/transfers")


class Failure(Exception):
    """The failure a test injects."""


@dataclass
class Bank:
    """Stands in for another service: runs each keyed request once, replays it after."""

    movements: dict[str, str] = field(default_factory=dict)
    calls: int = 0

    async def move(self, key: str, amount: int) -> str:
        self.calls += 1
        await asyncio.sleep(0)
        return self.movements.setdefault(key, f"receipt-{len(self.movements) + 1}-{amount}")


@dataclass
class Transfer:
    """The phased work, with one failure that can be armed at a named point."""

    bank: Bank
    fail_at: set[str] = field(default_factory=set)
    during_call: Any = None  # something to run while the bank call is in flight

    def _maybe_fail(self, point: str) -> None:
        if point in self.fail_at:
            self.fail_at.discard(point)
            raise Failure(point)

    def record(self, tx: Transaction, progress: Progress, _answers: Any) -> Advance:
        self._maybe_fail("record")
        tx.execute(transfers.insert(), {"id": progress.request.key, "amount": 500, "created_at": utc_now()})
        self._maybe_fail("record-after-insert")
        return Advance("recorded", {"transfer_id": progress.request.key, "amount": 500})

    async def call_bank(self, progress: Progress) -> str:
        self._maybe_fail("before-call")
        if self.during_call is not None:
            await self.during_call()
        receipt = await self.bank.move(progress.key_for("bank-move"), int(progress.data["amount"]))
        self._maybe_fail("after-call")  # the bank moved the money; the answer never reached us
        return receipt

    def keep_receipt(self, tx: Transaction, progress: Progress, receipt: str) -> Advance:
        self._maybe_fail("keep-receipt")
        tx.execute(update(transfers).where(transfers.c.id == progress.data["transfer_id"]).values(receipt=receipt))
        return Advance("moved", {**progress.data, "receipt": receipt})

    def answer(self, tx: Transaction, progress: Progress, _answers: Any) -> StoredResponse:
        self._maybe_fail("answer")
        body = f'{{"id":"{progress.data["transfer_id"]}","receipt":"{progress.data["receipt"]}"}}'.encode()
        return StoredResponse(status=201, body=body)

    def phases(self) -> list[Phase]:
        return [
            Phase("started", self.record),
            Phase("recorded", self.keep_receipt, calls=self.call_bank),
            Phase("moved", self.answer),
        ]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'phases.db'}"
    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    database = Database(url)
    yield database
    asyncio.run(database.dispose())


def _keys(database: Database, lock_seconds: int = 300) -> IdempotencyKeys:
    return IdempotencyKeys(database, keys_table, ttl_seconds=3600, lock_seconds=lock_seconds, problem_base_uri="x/")


def _state(database: Database) -> tuple[list[Any], list[Any]]:
    def read(tx: Transaction) -> tuple[list[Any], list[Any]]:
        rows = tx.execute(select(transfers.c.id, transfers.c.receipt)).all()
        key_rows = tx.execute(select(keys_table.c.state, keys_table.c.recovery_point, keys_table.c.progress)).all()
        return [tuple(row) for row in rows], [tuple(row) for row in key_rows]

    return asyncio.run(database.read(read))


def _run(work: PhasedWork, request: KeyedRequest = REQUEST) -> StoredResponse:
    return asyncio.run(work.run(request)).value


def test_the_phases_run_in_order_and_a_retry_replays_the_answer(database: Database) -> None:
    bank = Bank()
    work = PhasedWork(_keys(database), Transfer(bank).phases())

    first = _run(work)
    again = _run(work)

    assert first.status == 201
    assert first.body == b'{"id":"order-7","receipt":"receipt-1-500"}'
    assert again.replayed
    assert again.body == first.body
    assert bank.calls == 1
    rows, key_rows = _state(database)
    assert rows == [("order-7", "receipt-1-500")]
    assert key_rows[0][:2] == (COMPLETED, "moved")


@pytest.mark.parametrize(
    ("fail_at", "left_at"),
    [
        ("record", None),  # nothing committed: the key row is gone with the phase
        ("record-after-insert", None),
        ("before-call", "recorded"),
        ("after-call", "recorded"),  # the bank moved money, the answer was lost: the retry gets its replay
        ("keep-receipt", "recorded"),
        ("answer", "moved"),
    ],
)
def test_a_failure_at_any_point_resumes_from_the_last_recovery_point(
    database: Database, fail_at: str, left_at: str | None
) -> None:
    bank = Bank()
    transfer = Transfer(bank, fail_at={fail_at})
    work = PhasedWork(_keys(database), transfer.phases())

    with pytest.raises(Failure, match=fail_at):
        _run(work)
    _rows, key_rows = _state(database)
    if left_at is None:
        assert key_rows == []
    else:
        assert [(state, point) for state, point, _ in key_rows] == [(IN_FLIGHT, left_at)]

    answer = _run(work)  # the retry, at once: the failed request gave its lease back

    assert answer.status == 201
    assert not answer.replayed
    rows, key_rows = _state(database)
    assert rows == [("order-7", "receipt-1-500")]  # one transfer, with the one receipt
    assert len(bank.movements) == 1  # the bank moved the money once, whatever was repeated
    assert key_rows[0][:2] == (COMPLETED, "moved")
    assert _run(work).body == answer.body


def test_a_request_still_holding_the_key_is_not_disturbed_and_a_dead_one_is_taken_over(database: Database) -> None:
    bank = Bank()
    keys = _keys(database, lock_seconds=60)
    work = PhasedWork(keys, Transfer(bank).phases())

    # A request that recorded the transfer and then died, its lease still fresh.
    def died_after_recording(tx: Transaction) -> None:
        tx.execute(transfers.insert(), {"id": "order-7", "amount": 500, "created_at": utc_now()})
        tx.execute(
            keys_table.insert(),
            {
                "client_id": REQUEST.client_id, "idempotency_key": REQUEST.key, "fingerprint": REQUEST.fingerprint,
                "state": IN_FLIGHT, "locked_at": utc_now(), "expires_at": utc_now() + timedelta(hours=1),
                "recovery_point": "recorded", "progress": {"transfer_id": "order-7", "amount": 500},
            },
        )  # fmt: skip

    asyncio.run(database.write(died_after_recording))
    with pytest.raises(IdempotencyKeyInUse):
        _run(work)
    assert bank.calls == 0

    def lease_runs_out(tx: Transaction) -> None:
        tx.execute(update(keys_table).values(locked_at=utc_now() - timedelta(seconds=61)))

    asyncio.run(database.write(lease_runs_out))
    answer = _run(work)

    assert answer.status == 201
    rows, _ = _state(database)
    assert rows == [("order-7", "receipt-1-500")]  # resumed: the transfer was not recorded again
    assert bank.calls == 1


def test_a_request_that_was_taken_over_cannot_commit_its_next_phase(database: Database) -> None:
    bank = Bank()
    keys = _keys(database, lock_seconds=0)  # every lease runs out at once: the second request takes over
    slow = Transfer(bank)
    taker = PhasedWork(keys, Transfer(bank).phases())

    async def another_request_takes_over() -> None:
        slow.during_call = None
        await taker.run(REQUEST)

    slow.during_call = another_request_takes_over
    with pytest.raises(IdempotencyKeyInUse, match="took over"):
        _run(PhasedWork(keys, slow.phases()))

    rows, key_rows = _state(database)
    assert rows == [("order-7", "receipt-1-500")]
    assert len(bank.movements) == 1
    assert key_rows[0][:2] == (COMPLETED, "moved")


def test_the_same_key_with_another_body_is_refused(database: Database) -> None:
    work = PhasedWork(_keys(database), Transfer(Bank()).phases())
    _run(work)
    other = KeyedRequest(REQUEST.client_id, REQUEST.key, "0" * 64, REQUEST.instance)
    with pytest.raises(IdempotencyKeyReused):
        _run(work, other)


def test_simultaneous_retries_run_the_work_once(database: Database) -> None:
    bank = Bank()
    work = PhasedWork(_keys(database), Transfer(bank).phases())

    async def burst() -> list[Any]:
        return await asyncio.gather(*(work.run(REQUEST) for _ in range(20)), return_exceptions=True)

    outcomes = asyncio.run(burst())

    answers = [outcome.value for outcome in outcomes if not isinstance(outcome, BaseException)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert all(isinstance(error, IdempotencyKeyInUse) for error in refused)
    assert len([answer for answer in answers if not answer.replayed]) == 1
    assert len({answer.body for answer in answers}) == 1
    assert len(bank.movements) == 1
    rows, _ = _state(database)
    assert len(rows) == 1


def test_unfinished_work_is_listed_for_a_sweep_to_resume(database: Database) -> None:
    keys = _keys(database)
    bank = Bank()
    transfer = Transfer(bank, fail_at={"before-call"})
    with pytest.raises(Failure):
        _run(PhasedWork(keys, transfer.phases()))

    (unfinished,) = asyncio.run(keys.unfinished())

    assert (unfinished.client_id, unfinished.key, unfinished.point) == ("shop", "order-7", "recorded")
    assert unfinished.data == {"transfer_id": "order-7", "amount": 500}
    request = KeyedRequest(unfinished.client_id, unfinished.key, unfinished.fingerprint, "/v1/transfers")
    assert _run(PhasedWork(keys, transfer.phases()), request).status == 201
    assert asyncio.run(keys.unfinished()) == []


def test_derived_keys_are_stable_per_step_and_never_shared_between_callers() -> None:
    progress = Progress(REQUEST, "recorded")
    assert progress.key_for("bank-move") == Progress(REQUEST, "moved").key_for("bank-move")
    assert progress.key_for("bank-move") != progress.key_for("bank-refund")
    other_client = KeyedRequest("another-shop", REQUEST.key, REQUEST.fingerprint, REQUEST.instance)
    assert Progress(other_client, "recorded").key_for("bank-move") != progress.key_for("bank-move")
    long_key = KeyedRequest("c", "k" * 255, "f", "/")
    assert len(Progress(long_key, "s").key_for("x" * 300)) == 255


def test_phases_need_a_start_and_distinct_points(database: Database) -> None:
    keys = _keys(database)
    transfer = Transfer(Bank())
    with pytest.raises(ValueError, match="distinct starts"):
        PhasedWork(keys, [Phase("recorded", transfer.keep_receipt)])
    with pytest.raises(ValueError, match="distinct starts"):
        PhasedWork(keys, [Phase("started", transfer.record), Phase("started", transfer.answer)])
