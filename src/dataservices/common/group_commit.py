"""SQLite's one writer, committing the transactions waiting for it together (group commit).

SQLite takes one writer at a time, and with `synchronous=FULL` every commit waits for the disk. The
writer thread takes every transaction function queued while it was busy, runs each inside a
savepoint of one transaction, and commits them with one fsync. A function that raises rolls back to
its savepoint only; the others still commit. No caller hears of its transaction before the commit
that makes it durable, so a batch is all-or-nothing on disk and serial in effect: each function sees
the writes of those before it, exactly as if they had run one after another.

Several server processes (`dataservices serve --workers N`) each have a writer thread. They take
turns through an advisory lock on a file beside the database (`<database>-writer.lock`, `flock`):
the kernel wakes the next writer the moment the lock is free. Left to SQLite's busy handler, a
writer that finds the database locked sleeps and retries (1, 2, 5, 10... ms), which with two
processes cost more time than it saved and sent p99 past a second. The lock only orders our own
writers; anything else that writes the file (a migration, a shell) meets SQLite's busy timeout.
"""

from __future__ import annotations

import fcntl
import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from dataservices.common.sql import Transaction

# Transactions committed together at most. Bounds how long the last of a batch waits for the others
# (each is a fraction of a millisecond); the fsync it shares is the cost it saves.
MAX_BATCH = 64


@dataclass
class _Job:
    work: Callable[[Transaction], Any]
    future: Future[Any]


class GroupCommitWriter:
    """One thread that owns the write connection and commits queued transaction functions in batches."""

    def __init__(
        self,
        engine: Engine,
        token: Callable[[Connection], str],
        guard: Callable[[BaseException], BaseException],
        reopen_after: Callable[[BaseException], bool] = lambda _exc: False,
    ):
        self._engine = engine
        self._token = token
        self._guard = guard  # turns a database error into the exception callers should see
        self._reopen_after = reopen_after  # errors after which the write connection is opened afresh
        self._lock_fd = _open_lock_file(engine.url.database)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="db-write", daemon=True)
        self._thread.start()

    def submit(self, work: Callable[[Transaction], Any]) -> Future[Any]:
        """Queue `work`; its future gives `(value, token)` once the batch that holds it has committed."""
        future: Future[Any] = Future()
        self._jobs.put(_Job(work, future))
        return future

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This process's turn to write: the other processes' writers wait in the kernel meanwhile."""
        if self._lock_fd is None:
            yield
            return
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _batch(self, first: _Job) -> tuple[list[_Job], bool]:
        """The first job and every job already waiting (up to MAX_BATCH); whether `close` was asked."""
        batch, closing = [first], False
        while len(batch) < MAX_BATCH:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                closing = True
                break
            batch.append(job)
        return batch, closing

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            with self._turn():
                # Jobs queued while another process wrote join this batch. A job cancelled before it
                # started (its caller gave up waiting, perhaps for the lock) is dropped.
                batch, closing = self._batch(first)
                running = [job for job in batch if job.future.set_running_or_notify_cancel()]
                if running:
                    self._commit(running)
            if closing:
                return

    def _commit(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            with self._engine.connect() as connection, self._reopening(connection, outcomes):
                with connection.begin():
                    tx = Transaction(connection)
                    for job in batch:
                        # Plain SQL savepoints: SQLAlchemy's nested transactions cost several times more,
                        # and a savepoint is taken for every job.
                        tx.execute_sql("SAVEPOINT job")
                        try:
                            value = job.work(tx)
                        except BaseException as exc:  # this job's failure is its own; the batch goes on
                            tx.execute_sql("ROLLBACK TO SAVEPOINT job")
                            tx.execute_sql("RELEASE SAVEPOINT job")
                            outcomes.append((False, exc))
                        else:
                            tx.execute_sql("RELEASE SAVEPOINT job")
                            outcomes.append((True, value))
                token = self._token(connection)
        except BaseException as exc:  # the commit itself failed: no job of the batch is durable
            failure = self._guard(exc)
            for job in batch:
                job.future.set_exception(failure)
            return
        for job, (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                job.future.set_result((value, token))
            else:
                job.future.set_exception(self._guard(value))

    @contextmanager
    def _reopening(self, connection: Connection, outcomes: list[tuple[bool, Any]]) -> Iterator[None]:
        """Drop the connection when the batch, or a job of it, failed in a way only a new connection mends."""
        try:
            yield
        except BaseException as exc:
            if self._reopen_after(exc):
                connection.invalidate(exc)
            raise
        if any(not ok and self._reopen_after(value) for ok, value in outcomes):
            connection.invalidate()


def _open_lock_file(database: str | None) -> int | None:
    """The writers' lock file of a SQLite file, or None (in memory, or a folder we may not write to)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    try:
        return os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return None  # still correct: SQLite's own lock and busy timeout order the writers, only slower
