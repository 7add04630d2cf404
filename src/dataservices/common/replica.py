"""Whether a PostgreSQL streaming replica may serve reads now: answering, still a standby, and not lagging.

A monitor thread asks both servers every `MONITOR_INTERVAL_SECONDS`: the primary for its WAL flush position,
the replica whether it is still in recovery and how far it has replayed. The replica **lags** when it has not
yet replayed what the primary had flushed `max_lag_seconds` ago; measured that way, a replica of an idle
primary never lags (there is nothing to replay), and one whose replay stopped lags as soon as the primary
writes anything and the limit passes. A replica is **down** when it refuses or loses a connection (seen by the
monitor, or by a read that then moves to the primary), when it has been promoted (it is no longer a copy of
the primary we write to), or when the monitor has not heard from it for a while (a server that hangs).

Reads use the replica only while it is up; otherwise the primary serves them, and readiness reports the
service as degraded. The replica is used again at the first check that finds it answering and caught up.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from enum import StrEnum

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

log = structlog.get_logger(__name__)

# How often the monitor asks both servers: four small queries a second per process. Half a second is the
# longest a replica that came back waits to be used again, and what a lag limit is judged to.
MONITOR_INTERVAL_SECONDS = 0.5
# A replica not heard from for this many intervals beyond the lag limit is down (a hung server never refuses).
SILENT_INTERVALS = 4
_TOKEN = re.compile(r"pg\.([0-9A-Fa-f]{1,8})-([0-9A-Fa-f]{1,8})")


class ReplicaStatus(StrEnum):
    """What readiness reports about the replica, as the contract's `Readiness.replica` names it."""

    UP = "UP"
    LAGGING = "LAGGING"
    DOWN = "DOWN"


def lsn_token(lsn: str) -> str:
    """The consistency token of a WAL position as PostgreSQL writes it (`0/16B3A58` → `pg.0-16B3A58`)."""
    return "pg." + lsn.upper().replace("/", "-")


def token_lsn(token: str) -> str | None:
    """The WAL position a token names (`pg.0-16B3A58` → `0/16B3A58`); None for a token we did not issue."""
    match = _TOKEN.fullmatch(token)
    return f"{match.group(1)}/{match.group(2)}" if match else None


def lsn_value(lsn: str) -> int:
    """A WAL position as a number, so positions compare (`0/16B3A58` → 23804504)."""
    high, low = lsn.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class ReplicaMonitor:
    """The replica's state for read routing and readiness, kept current by a background thread.

    `usable()` is what every read asks; it costs a lock and a clock read. The thread starts on first use and
    stops with `stop()`; its queries take one connection of each engine's pool.
    """

    def __init__(self, primary: Engine, replica: Engine, *, max_lag_seconds: float) -> None:
        self._primary = primary
        self._replica = replica
        self.max_lag_seconds = max_lag_seconds
        self._silent_after = max_lag_seconds + SILENT_INTERVALS * MONITOR_INTERVAL_SECONDS
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # the running thread's; replaced when it is stopped
        self._thread: threading.Thread | None = None
        # (monotonic time, primary flush position) of recent checks, oldest first.
        self._flushed: deque[tuple[float, int]] = deque()
        self._heard_at = time.monotonic()
        self._down_reason: str | None = None
        self._lagging = False
        self._reported = ReplicaStatus.UP

    def status(self) -> ReplicaStatus:
        """UP, LAGGING or DOWN, as known now (an unknown replica counts as up until a check or a read says not)."""
        self._ensure_started()
        with self._lock:
            if self._down_reason is not None or time.monotonic() - self._heard_at > self._silent_after:
                return ReplicaStatus.DOWN
            return ReplicaStatus.LAGGING if self._lagging else ReplicaStatus.UP

    def usable(self) -> bool:
        """Whether a read should go to the replica now."""
        return self.status() is ReplicaStatus.UP

    def failed(self, reason: str) -> None:
        """A read found the replica unreachable: route around it until the monitor sees it answer again."""
        with self._lock:
            self._down_reason = reason
        self._report()

    def stop(self) -> None:
        """Stop the thread; the next use starts another (an app's lifespan may end and start again)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping.set()
            self._stopping = threading.Event()
        if thread is not None:
            # A check in progress is bounded by the connect and statement timeouts.
            thread.join(timeout=10)

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._heard_at = time.monotonic()
                    self._thread = threading.Thread(
                        target=self._run, args=(self._stopping,), name="db-replica-monitor", daemon=True
                    )
                    self._thread.start()

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            self.check()
            stopping.wait(MONITOR_INTERVAL_SECONDS)

    def check(self) -> None:
        """Ask both servers once and update the state (the thread does this every interval)."""
        now = time.monotonic()
        try:
            with self._primary.connect() as connection:
                flushed = connection.exec_driver_sql("SELECT pg_current_wal_flush_lsn()::text").scalar_one()
            with self._lock:
                self._flushed.append((now, lsn_value(flushed)))
        except SQLAlchemyError:
            pass  # the primary's own trouble shows in writes and readiness; the replica is judged on what we have
        reason: str | None
        try:
            with self._replica.connect() as connection:
                standby, replayed = connection.exec_driver_sql(
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text"
                ).one()
        except DBAPIError as exc:
            reason = f"unreachable ({type(exc.orig).__name__})"
        except SQLAlchemyError as exc:
            reason = f"unreachable ({type(exc).__name__})"
        else:
            reason = None if standby and replayed else "promoted: no longer a standby of the primary"
        with self._lock:
            self._heard_at = time.monotonic()
            self._down_reason = reason
            if reason is None:
                self._lagging = self._behind(now, lsn_value(str(replayed)))
        self._report()

    def _behind(self, now: float, replayed: int) -> bool:
        """Whether the replica misses WAL the primary had flushed `max_lag_seconds` ago (the lock is held)."""
        limit = now - self.max_lag_seconds
        reference = None
        # Keep the newest check older than the limit (the reference) and every check after it.
        while self._flushed and self._flushed[0][0] <= limit:
            reference = self._flushed.popleft()
        if reference is not None:
            self._flushed.appendleft(reference)
            return replayed < reference[1]
        return False

    def _report(self) -> None:
        """Log each change of state once: the replica stopped or started serving reads."""
        status = self.status()
        with self._lock:
            previous, self._reported = self._reported, status
            reason = self._down_reason
        if status is previous:
            return
        if status is ReplicaStatus.UP:
            log.info("replica_serving_reads", previous=previous.value)
        else:
            log.warning(
                "replica_not_serving_reads",
                status=status.value,
                reason=reason or ("lagging" if status is ReplicaStatus.LAGGING else "silent"),
                max_lag_seconds=self.max_lag_seconds,
            )
