"""Idempotency keys (brief §4), in the shape of atomic phases.

Phase 1 claims the key in a short transaction: a new key row is IN_FLIGHT with the request's
fingerprint. Phase 2 runs the work and marks the key COMPLETED with the stored response in the SAME
transaction, so either both the work and its recorded answer commit, or neither does. A retry then
finds the stored answer (replayed with `Idempotent-Replayed: true`), a different body under the same
key (422), or a request still running (409, retry later). A request that dies between the phases left
no work behind; its claim is taken over once `lock_seconds` have passed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Integer, LargeBinary, MetaData, String, Table, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dataservices.common.db import Database, UTCDateTime, insert_for
from dataservices.common.problems import Problem
from dataservices.common.timestamps import utc_now

IN_FLIGHT, COMPLETED = "IN_FLIGHT", "COMPLETED"
REPLAY_HEADER = "Idempotent-Replayed"


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


def fingerprint(method: str, path: str, body: Any) -> str:
    """A digest of what makes two requests the same: method, path and the body's JSON value."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


class IdempotencyKeys:
    """Runs work at most once per (client, key) against one service's database."""

    def __init__(self, database: Database, table: Table, *, ttl_seconds: int, lock_seconds: int) -> None:
        self._db = database
        self._table = table
        self._ttl = timedelta(seconds=ttl_seconds)
        self._lock = timedelta(seconds=lock_seconds)

    def _where(self, client_id: str, key: str) -> Any:
        return and_(self._table.c.client_id == client_id, self._table.c.idempotency_key == key)

    async def _claim(self, client_id: str, key: str, digest: str) -> StoredResponse | datetime:
        """Claim the key for this request (returning the claim's time), or return the stored answer."""
        now = utc_now()
        row_values = {
            "client_id": client_id,
            "idempotency_key": key,
            "fingerprint": digest,
            "state": IN_FLIGHT,
            "locked_at": now,
            "expires_at": now + self._ttl,
        }
        async with self._db.write() as session:
            insert = insert_for(session, self._table)
            claimed = await session.execute(
                insert.values(**row_values).on_conflict_do_nothing().returning(self._table.c.client_id)
            )
            if claimed.first() is not None:
                return now
            row = (await session.execute(select(self._table).where(self._where(client_id, key)))).one()
            reclaim = None
            if row.expires_at <= now:
                reclaim = self._table.c.expires_at == row.expires_at  # a key past its 24 hours is new again
            elif row.fingerprint != digest:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was used for a different request; use a new key for a new request."
                )
            elif row.state == COMPLETED:
                return StoredResponse(
                    status=row.response_status,
                    body=row.response_body,
                    media_type=row.response_headers.pop("content-type", "application/json"),
                    headers=row.response_headers,
                    replayed=True,
                )
            elif row.locked_at <= now - self._lock:
                reclaim = self._table.c.locked_at == row.locked_at  # its request died before finishing
            if reclaim is not None:
                result = await session.execute(
                    update(self._table).where(self._where(client_id, key), reclaim).values(**row_values)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    return now
            raise IdempotencyKeyInUse(
                "A request with this Idempotency-Key is still being processed; retry after it completes.",
            )

    async def _store(
        self, session: AsyncSession, client_id: str, key: str, claim: datetime, response: StoredResponse
    ) -> None:
        """Record the answer, only if this request still holds the key; otherwise undo the work."""
        headers = dict(response.headers)
        headers["content-type"] = response.media_type
        result = await session.execute(
            update(self._table)
            .where(self._where(client_id, key), self._table.c.state == IN_FLIGHT, self._table.c.locked_at == claim)
            .values(
                state=COMPLETED,
                response_status=response.status,
                response_headers=headers,
                response_body=response.body,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            # Another request took the key over (this one ran past lock_seconds); raising rolls back
            # this request's work, and the caller's retry replays the other request's answer.
            raise IdempotencyKeyInUse(
                "This request took too long and another request with the same Idempotency-Key took over; "
                "retry to get its answer."
            )

    async def run(
        self,
        *,
        client_id: str,
        key: str,
        digest: str,
        work: Callable[[AsyncSession], Awaitable[StoredResponse]],
        render: Callable[[Problem], StoredResponse],
        keep: Callable[[Problem], bool],
    ) -> StoredResponse:
        """Run `work` once for this key, or replay the answer it gave.

        `keep` says which refusals are part of the request's outcome and are replayed like a success
        (a coupon that was exhausted stays exhausted for this key); any other failure releases the key
        so a retry runs the work again.
        """
        claim = await self._claim(client_id, key, digest)
        if isinstance(claim, StoredResponse):
            return claim
        try:
            async with self._db.write() as session:
                response = await work(session)
                await self._store(session, client_id, key, claim, response)
            return response
        except Problem as problem:
            if isinstance(problem, IdempotencyKeyInUse):
                raise
            if not keep(problem):
                await self._release(client_id, key, claim)
                raise
            refusal = render(problem)
            async with self._db.write() as session:
                await self._store(session, client_id, key, claim, refusal)
            return refusal
        except IdempotencyKeyInUse:
            raise  # the key belongs to the request that took it over
        except Exception:
            await self._release(client_id, key, claim)
            raise

    async def purge_expired(self) -> int:
        """Delete keys past their retention; the background sweep calls this."""
        async with self._db.write() as session:
            result = await session.execute(delete(self._table).where(self._table.c.expires_at <= utc_now()))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _release(self, client_id: str, key: str, claim: datetime) -> None:
        async with self._db.write() as session:
            await session.execute(
                delete(self._table).where(
                    self._where(client_id, key), self._table.c.state == IN_FLIGHT, self._table.c.locked_at == claim
                )
            )
