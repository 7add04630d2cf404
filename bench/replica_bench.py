"""Read routing under a mixed load on a real PostgreSQL primary and streaming replica: where reads went, what they saw.

A throw-away pair (fsync on, as in production) and the services' own `Database`. Each of `--workers` concurrent
tasks repeats: write a note (one transaction, its consistency token back), read it back at once with the token,
then read `--plain-reads` random notes without a token. Every read also returns `inet_server_port()`, so the
server that ran it is seen from inside the transaction. Meanwhile a probe on its own connection takes the newest
token and polls the replica until it has replayed past it: the time from the write's return to that moment is
how long a reader holding the token would wait for the replica.

Reported: the share of reads with and without a token the replica served, the token wait (p50, p99, max), the
replay lag the primary saw, and reads that missed their own write (must be 0). Only 127.0.0.1 is used, and a run
is bounded by `--seconds` and `--max-operations`.

    python -m bench.replica_bench                      # 10 s, 16 workers
    python -m bench.replica_bench --seconds 3 --workers 4
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

import asyncpg
import psycopg
from sqlalchemy import Column, Integer, MetaData, Table, Text, bindparam, func, insert, select

from bench.measure import table
from dataservices.common.db import Database
from dataservices.common.replica import token_lsn
from dataservices.common.sql import Transaction
from dataservices.pgpair import PairDatabase, PostgresPair

notes = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("body", Text, nullable=False))
# One row whether or not the server has the note: its body (or None) and the port of the server that ran it.
_NOTE = select(
    select(notes.c.body).where(notes.c.id == bindparam("id")).scalar_subquery().label("body"),
    func.inet_server_port().label("port"),
)
_INSERT = insert(notes).returning(notes.c.id)
# How long the token probe may take beyond the load to report.
PROBE_SECONDS = 30.0
# A body of about a redemption's size, so each write ships a realistic amount of WAL.
_PADDING = "x" * 200


@dataclass
class MixedLoadResult:
    """What one mixed-load run saw."""

    seconds: float
    writes: int = 0
    token_reads: int = 0
    token_reads_on_replica: int = 0
    plain_reads: int = 0
    plain_reads_on_replica: int = 0
    missed_own_write: int = 0
    token_waits_ms: list[float] = field(default_factory=list)
    # How long a read with its write's token took, by the server that served it.
    token_read_ms_replica: list[float] = field(default_factory=list)
    token_read_ms_primary: list[float] = field(default_factory=list)
    replay_lag_ms: list[float] = field(default_factory=list)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def _create_table(url: str) -> None:
    setup = Database(url)
    try:
        await setup.write(lambda tx: tx.execute_sql("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)"))
    finally:
        await setup.dispose()


async def mixed_load(
    database: Database,
    replica_url: str,
    primary_url: str,
    replica_port: int,
    *,
    seconds: float,
    workers: int,
    plain_reads: int = 2,
    max_operations: int = 1_000_000,
) -> MixedLoadResult:
    """Run the mixed load on `database` (its replica listens on `replica_port`) for `seconds` at most."""
    result = MixedLoadResult(seconds=seconds)
    written: list[int] = []
    newest: list[tuple[str, float]] = []  # the newest write's (token, when it returned), for the probe
    started_at = time.monotonic()
    deadline = started_at + seconds
    operations = 0
    load_done = asyncio.Event()

    async def worker(seed: int) -> None:
        nonlocal operations
        pick = random.Random(seed)
        while time.monotonic() < deadline and operations < max_operations:
            operations += 1
            done = await database.write(lambda tx: tx.execute(_INSERT, {"body": _PADDING}).scalar())
            newest[:] = [(done.token, time.perf_counter())]
            written.append(done.value)
            result.writes += 1
            started = time.perf_counter()
            body, port = await database.read(partial(_note, note_id=done.value), done.token)
            took_ms = (time.perf_counter() - started) * 1000
            on_replica = port == replica_port
            result.token_reads += 1
            result.token_reads_on_replica += on_replica
            (result.token_read_ms_replica if on_replica else result.token_read_ms_primary).append(took_ms)
            result.missed_own_write += body is None
            for _ in range(plain_reads):
                _, port = await database.read(partial(_note, note_id=pick.choice(written)))
                result.plain_reads += 1
                result.plain_reads_on_replica += port == replica_port

    async def lag_probe() -> None:
        primary = await asyncpg.connect(primary_url, timeout=5)
        try:
            while not load_done.is_set():
                lag = await primary.fetchval(
                    "SELECT extract(epoch FROM replay_lag) * 1000 FROM pg_stat_replication LIMIT 1"
                )
                if lag is not None:
                    result.replay_lag_ms.append(float(lag))
                await asyncio.sleep(0.1)
        finally:
            await primary.close()

    tokens, probe_end = multiprocessing.Pipe()
    probe = multiprocessing.get_context("spawn").Process(
        target=token_probe, args=(probe_end, replica_url, seconds), name="token-probe", daemon=True
    )
    probe.start()

    async def feed_probe() -> None:
        last = None
        while not load_done.is_set():
            if newest and newest[0] != last:
                last = newest[0]
                tokens.send(last)
            await asyncio.sleep(0.001)
        tokens.send(None)

    async def load() -> None:
        try:
            await asyncio.gather(*(worker(seed) for seed in range(workers)))
        finally:
            result.seconds = time.monotonic() - started_at
            load_done.set()

    try:
        await asyncio.gather(feed_probe(), lag_probe(), load())
        if tokens.poll(PROBE_SECONDS):
            result.token_waits_ms = tokens.recv()
    finally:
        probe.join(PROBE_SECONDS)
        if probe.is_alive():
            probe.kill()
    return result


def token_probe(tokens: Connection, replica_url: str, seconds: float) -> None:
    """In its own process, so the load's event loop does not delay it: how long each sampled token took to replay.

    Takes the newest token the load sent, polls the replica until it has replayed past it, and repeats; sends
    back the waits in milliseconds, measured from when the write returned (the clock is the machine's monotonic
    one, shared by both processes).
    """
    waits: list[float] = []
    deadline = time.monotonic() + seconds + PROBE_SECONDS
    with psycopg.connect(replica_url, autocommit=True, connect_timeout=5) as replica:
        while time.monotonic() < deadline:
            newest = None
            while tokens.poll(0.01 if newest is None else 0):
                newest = tokens.recv()
                if newest is None:
                    tokens.send(waits)
                    return
            if newest is None:
                continue
            token, returned_at = newest
            lsn = token_lsn(token)
            while time.monotonic() < deadline:
                row = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()
                if row is not None and row[0]:
                    break
            waits.append((time.perf_counter() - returned_at) * 1000)
    tokens.send(waits)


def _note(tx: Transaction, note_id: int) -> tuple[str | None, int]:
    row = tx.execute(_NOTE, {"id": note_id}).one()
    return row.body, row.port


def render(result: MixedLoadResult, workers: int) -> str:
    """The run as a Markdown table."""

    def share(part: int, whole: int) -> str:
        return f"{part / whole:.1%} of {whole:,}" if whole else "none"

    def spread(values: list[float]) -> str:
        return f"p50 {_percentile(values, 0.5):.2f} ms, p99 {_percentile(values, 0.99):.2f} ms ({len(values):,})"

    lag = f"median {statistics.median(result.replay_lag_ms):.2f} ms" if result.replay_lag_ms else "none reported"
    rows = [
        ["writes", f"{result.writes:,} ({result.writes / result.seconds:,.0f}/s)"],
        [
            "reads with their write's token, served by the replica",
            share(result.token_reads_on_replica, result.token_reads),
        ],
        ["reads without a token, served by the replica", share(result.plain_reads_on_replica, result.plain_reads)],
        ["reads that missed their own write", f"{result.missed_own_write}"],
        ["token wait: from the write's return until the replica replayed it", spread(result.token_waits_ms)],
        ["a read with its token, served by the replica (check + read)", spread(result.token_read_ms_replica)],
        ["a read with its token, served by the primary (check + read)", spread(result.token_read_ms_primary)],
        ["replay lag the primary reports (pg_stat_replication.replay_lag)", lag],
    ]
    return f"Mixed load, {workers} workers, {result.seconds:g} s:\n\n" + table(rows, ["what", "measured"])


async def _run(database_urls: PairDatabase, replica_port: int, options: argparse.Namespace) -> MixedLoadResult:
    await _create_table(database_urls.primary_url)
    database = Database(database_urls.primary_url, database_urls.replica_url)
    try:
        return await mixed_load(
            database,
            database_urls.replica_url,
            database_urls.primary_url,
            replica_port,
            seconds=options.seconds,
            workers=options.workers,
            plain_reads=options.plain_reads,
            max_operations=options.max_operations,
        )
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--plain-reads", type=int, default=2, help="reads without a token per write")
    parser.add_argument("--max-operations", type=int, default=1_000_000)
    options = parser.parse_args(argv)
    with PostgresPair.start(Path(tempfile.mkdtemp(prefix="replica-bench-"))) as pair:
        urls = pair.create_database("bench")
        result = asyncio.run(_run(urls, pair.replica.port, options))
    print(render(result, options.workers))
    if result.missed_own_write:
        print(f"FAILED: {result.missed_own_write} reads missed their own write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
