"""Idempotency keys (brief §4): the key, the work and the stored answer commit in ONE transaction.

A request claims its key by inserting the key row, does its work and records its answer on the row
before the transaction commits: either all of it commits, or none of it does, so a key never names
work that did not happen or work without its answer. A retry then finds the stored answer (replayed
with `Idempotent-Replayed: true`), a different body under the same key (422), or a request still
running (409, retry later).

Requests with the same key never run their work side by side: on SQLite the write lock serializes
whole transactions; on PostgreSQL the second insert of a key waits on the first one's uncommitted row
and then finds it completed. A key row committed IN_FLIGHT exists only for work that commits in
several phases (`dataservices.common.phases`): the row then also holds the last recovery point the
work reached and the data it carries, and its claim is taken over, to resume from that point, once
`lock_seconds` have passed without progress.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    delete,
    select,
    update,
)

from dataservices.common.db import Database, UTCDateTime, Written, insert_for
from dataservices.common.problems import Problem, problem_document
from dataservices.common.sql import Transaction
from dataservices.common.timestamps import utc_now

IN_FLIGHT, COMPLETED = "IN_FLIGHT", "COMPLETED"
# The recovery point of a key whose work has not committed anything yet.
STARTED = "started"
REPLAY_HEADER = "Idempotent-Replayed"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class IdempotencyKeyInUse(Problem):
    slug, title, status, code = "idempotency-key-in-use", "Idempotency key in use", 409, "IDEMPOTENCY_KEY_IN_USE"


class IdempotencyKeyReused(Problem):
    slug, title, status, code = "idempotency-key-reused", "Idempotency key reused", 422, "IDEMPOTENCY_KEY_REUSED"


def idempotency_table(metadata: MetaData) -> Table:
    """The key table, defined once and created by each service's own migrations."""
    return Table(
        "idempotency_keys",
        metadata,
        Column("client_id", String(200), primary_key=True),
        Column("idempotency_key", String(255), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("state", String(16), nullable=False),
        Column("locked_at", UTCDateTime(), nullable=False),
        Column("expires_at", UTCDateTime(), nullable=False, index=True),
        # Work in several phases: the last phase that committed, and what the next phases need to know.
        Column("recovery_point", String(64), nullable=False, server_default=STARTED),
        Column("progress", JSON, nullable=True),
        Column("response_status", Integer, nullable=True),
        Column("response_headers", JSON, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
    )


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """An answer as it is stored and replayed."""

    status: int
    body: bytes
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class KeyedRequest:
    """An idempotent request: whose key it is, the key, what makes two requests the same, and its path."""

    client_id: str
    key: str
    fingerprint: str
    instance: str  # the request's path, the `instance` of a stored problem


def fingerprint(method: str, path: str, body: Any) -> str:
    """A digest of what makes two requests the same: method, path and the body's JSON value."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


# The lease of a key whose request gave up after a failure: older than any lease, so taken over at once.
RELEASED_AT = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Unfinished:
    """A key whose work in phases stopped part-way: whose it is, and where its work stands."""

    client_id: str
    key: str
    fingerprint: str
    point: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Claim:
    """This request holds the key: since when (its lease), and where earlier attempts left the work."""

    at: datetime
    point: str = STARTED
    data: dict[str, Any] | None = None


class _Refusal(Exception):
    """Carries a refusal that is the request's outcome out of the transaction that must roll back."""

    def __init__(self, response: StoredResponse) -> None:
        self.response = response


Work = Callable[[Transaction], StoredResponse]


class IdempotencyKeys:
    """Runs work at most once per (client, key) against one service's database."""

    def __init__(
        self, database: Database, table: Table, *, ttl_seconds: int, lock_seconds: int, problem_base_uri: str
    ) -> None:
        self._db = database
        self._table = table
        self._ttl = timedelta(seconds=ttl_seconds)
        self._lock = timedelta(seconds=lock_seconds)
        self._problem_base_uri = problem_base_uri
        # Built once: every idempotent request runs the claim, and most the completion, on the writer.
        key = and_(table.c.client_id == bindparam("b_client_id"), table.c.idempotency_key == bindparam("b_key"))
        self._select_key = select(table).where(key)
        self._complete_key = update(table).where(
            key, table.c.state == IN_FLIGHT, table.c.locked_at == bindparam("b_claim")
        )
        self._claims = {
            dialect: insert_for(dialect, table).on_conflict_do_nothing().returning(table.c.client_id)
            for dialect in ("sqlite", "postgresql")
        }
        held = and_(key, table.c.state == IN_FLIGHT, table.c.locked_at == bindparam("b_claim"))
        self._advance_key = (
            update(table)
            .where(held)
            .values(recovery_point=bindparam("b_point"), progress=bindparam("b_data"), locked_at=bindparam("b_renewed"))
        )
        self._release_key = update(table).where(held).values(locked_at=bindparam("b_released"))

    @property
    def database(self) -> Database:
        return self._db

    @staticmethod
    def _key(request: KeyedRequest) -> dict[str, str]:
        return {"b_client_id": request.client_id, "b_key": request.key}

    def _where(self, request: KeyedRequest) -> Any:
        return and_(self._table.c.client_id == request.client_id, self._table.c.idempotency_key == request.key)

    async def run(self, request: KeyedRequest, work: Work, keep: Callable[[Problem], bool]) -> Written[StoredResponse]:
        """Run `work` once for this key, or replay the answer it gave.

        `keep` says which refusals are part of the request's outcome and are stored and replayed like
        a success (a coupon that was exhausted stays exhausted for this key); any other failure rolls
        everything back, the claim included, so a retry runs the work again.
        """

        def once(tx: Transaction) -> StoredResponse:
            claim = self.claim(tx, request)
            if isinstance(claim, StoredResponse):
                return claim
            if claim.point != STARTED:
                # Only work in phases leaves a key in flight past its start; run it with its phases.
                raise IdempotencyKeyInUse("This Idempotency-Key belongs to work in phases that has not finished.")
            try:
                response = work(tx)
            except Problem as problem:
                if not keep(problem):
                    raise
                raise _Refusal(self._render(problem, request)) from None
            self.complete(tx, request, claim.at, response)
            return response

        try:
            return await self._db.write(once)
        except _Refusal as refusal:
            # The work's writes are rolled back with the claim; the refusal is stored on its own.
            refused = refusal.response
        return await self._db.write(lambda tx: self._store_refusal(tx, request, refused))

    def _render(self, problem: Problem, request: KeyedRequest) -> StoredResponse:
        document = problem_document(problem, self._problem_base_uri, request.instance)
        return StoredResponse(status=problem.status, body=document, media_type=PROBLEM_MEDIA_TYPE)

    def _row(self, request: KeyedRequest, state: str, now: datetime) -> dict[str, Any]:
        return {
            "client_id": request.client_id,
            "idempotency_key": request.key,
            "fingerprint": request.fingerprint,
            "state": state,
            "locked_at": now,
            "expires_at": now + self._ttl,
        }

    def claim(self, tx: Transaction, request: KeyedRequest) -> StoredResponse | Claim:
        """Claim the key for this request (its lease and recovery point), or return the stored answer."""
        now = utc_now()
        claimed = tx.execute(self._claims[tx.dialect_name], self._row(request, IN_FLIGHT, now))
        if claimed.first() is not None:
            return Claim(now)
        row = tx.execute(self._select_key, self._key(request)).one()
        reclaim = None
        fresh = False
        if row.expires_at <= now:
            reclaim = self._table.c.expires_at == row.expires_at  # a key past its 24 hours is new again
            fresh = True
        elif row.fingerprint != request.fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for a different request; use a new key for a new request."
            )
        elif row.state == COMPLETED:
            headers = dict(row.response_headers)
            return StoredResponse(
                status=row.response_status,
                body=row.response_body,
                media_type=headers.pop("content-type", "application/json"),
                headers=headers,
                replayed=True,
            )
        elif row.locked_at <= now - self._lock:
            reclaim = self._table.c.locked_at == row.locked_at  # its request died or gave up between phases
        if reclaim is not None:
            values = self._row(request, IN_FLIGHT, now)
            if fresh:
                values.update(recovery_point=STARTED, progress=None)
            result = tx.execute(update(self._table).where(self._where(request), reclaim).values(**values))
            if result.rowcount == 1:
                return Claim(now) if fresh else Claim(now, row.recovery_point, row.progress)
        raise IdempotencyKeyInUse(
            "A request with this Idempotency-Key is still being processed; retry after it completes.",
        )

    def _answer(self, response: StoredResponse) -> dict[str, Any]:
        headers = dict(response.headers)
        headers["content-type"] = response.media_type
        return {
            "state": COMPLETED,
            "response_status": response.status,
            "response_headers": headers,
            "response_body": response.body,
        }

    def complete(self, tx: Transaction, request: KeyedRequest, claim: datetime, response: StoredResponse) -> None:
        """Record the answer, only if this request still holds the key; otherwise undo the work."""
        result = tx.execute(self._complete_key, {**self._key(request), "b_claim": claim, **self._answer(response)})
        if result.rowcount != 1:
            # Another request took the key over (this one ran past lock_seconds); raising rolls back
            # this request's work, and the caller's retry replays the other request's answer.
            raise IdempotencyKeyInUse(
                "This request took too long and another request with the same Idempotency-Key took over; "
                "retry to get its answer."
            )

    def advance(self, tx: Transaction, request: KeyedRequest, claim: Claim, point: str, data: dict[str, Any]) -> Claim:
        """Move the key to recovery point `point` with `data`, renewing the lease, if this request still holds it.

        Otherwise (another request took the key over) raise, which rolls back the phase that got here.
        """
        renewed = Claim(utc_now(), point, data)
        values = {**self._key(request), "b_claim": claim.at, "b_renewed": renewed.at, "b_point": point, "b_data": data}
        if tx.execute(self._advance_key, values).rowcount != 1:
            raise IdempotencyKeyInUse(
                "This request took too long and another request with the same Idempotency-Key took over; "
                "retry to get its answer."
            )
        return renewed

    async def release(self, request: KeyedRequest, claim: Claim) -> None:
        """Give up this request's lease after a failure, so that a retry resumes at once.

        The key keeps its recovery point. Best effort: if the database cannot take it now, the lease runs
        out after `lock_seconds` instead.
        """
        values = {**self._key(request), "b_claim": claim.at, "b_released": RELEASED_AT}
        try:
            await self._db.write(lambda tx: tx.execute(self._release_key, values))
        except Exception:  # the caller is already failing with its own error, which says more
            return

    async def unfinished(self, limit: int = 100) -> list[Unfinished]:
        """Keys whose work in phases stopped part-way and whose lease has run out, oldest first.

        A service's sweep resumes them (the payment service's reconciliation does), so work never stays
        half done because its caller stopped retrying.
        """
        older_than = utc_now() - self._lock
        table = self._table
        columns = (table.c.client_id, table.c.idempotency_key, table.c.fingerprint, table.c.recovery_point)
        query = (
            select(*columns, table.c.progress)
            .where(table.c.state == IN_FLIGHT, table.c.locked_at <= older_than)
            .order_by(table.c.locked_at)
            .limit(limit)
        )

        def find(tx: Transaction) -> list[Unfinished]:
            return [
                Unfinished(row.client_id, row.idempotency_key, row.fingerprint, row.recovery_point, row.progress or {})
                for row in tx.execute(query)
            ]

        return await self._db.read(find)

    def _store_refusal(self, tx: Transaction, request: KeyedRequest, response: StoredResponse) -> StoredResponse:
        """Store a refusal as the key's outcome, unless another request with the key got there first."""
        row = {**self._row(request, COMPLETED, utc_now()), **self._answer(response)}
        insert = insert_for(tx.dialect_name, self._table).values(**row).on_conflict_do_nothing()
        if tx.execute(insert.returning(self._table.c.client_id)).first() is not None:
            return response
        found = self.claim(tx, request)
        if not isinstance(found, StoredResponse):
            raise IdempotencyKeyInUse("A request with this Idempotency-Key is still being processed; retry.")
        return found

    async def purge_expired(self) -> int:
        """Delete keys past their retention; the background sweep calls this."""
        now = utc_now()

        def purge(tx: Transaction) -> int:
            return int(tx.execute(delete(self._table).where(self._table.c.expires_at <= now)).rowcount)

        return (await self._db.write(purge)).value
