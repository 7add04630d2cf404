"""The replica benchmark's mixed load on the test pair, at a small scale: every read sees its own write.

The load runs against the services' `Database` on a real primary and replica; the test holds it to what the
benchmark reports and to the one figure that must always be zero. Nothing here asserts a rate or a duration.
"""

from __future__ import annotations

import asyncio

from bench.replica_bench import mixed_load, render
from dataservices.common.db import Database
from dataservices.common.settings import DatabaseLimits
from dataservices.pgpair import PairDatabase, PostgresPair

OPERATIONS = 300
# A bound on the run, far beyond what 300 operations take: the operation count ends it.
SECONDS = 60.0


def test_a_bounded_mixed_load_misses_no_write_and_sees_where_every_read_went(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    async def run() -> object:
        setup = Database(postgres_database.primary_url)
        await setup.write(lambda tx: tx.execute_sql("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)"))
        await setup.dispose()
        # No lag limit the test could reach on a busy machine: every read without a token is the replica's.
        limits = DatabaseLimits(replica_max_lag_seconds=3600)
        database = Database(postgres_database.primary_url, postgres_database.replica_url, limits=limits)
        try:
            return await mixed_load(
                database,
                postgres_database.replica_url,
                postgres_database.primary_url,
                postgres_pair.replica.port,
                seconds=SECONDS,
                workers=4,
                max_operations=OPERATIONS,
            )
        finally:
            await database.dispose()

    result = asyncio.run(run())
    assert result.writes == result.token_reads == OPERATIONS
    assert result.missed_own_write == 0
    assert result.plain_reads == 2 * result.writes
    assert result.plain_reads_on_replica == result.plain_reads
    served = len(result.token_read_ms_replica) + len(result.token_read_ms_primary)
    assert served == result.token_reads
    assert result.token_reads_on_replica == len(result.token_read_ms_replica)
    assert "reads that missed their own write" in render(result, workers=4)
