"""The failover benchmark on a pair of its own: every step reaches the answer it waits for, and no read fails.

The steps stop, pause, start and promote real servers under the served coupon service (the `dataservices serve`
command). Nothing here asserts how long a step took: a step that does not reach its answer within the
benchmark's own bound is reported as not reached, and that fails the test.
"""

from __future__ import annotations

from pathlib import Path

from bench.failover_bench import render, run
from dataservices.pgpair import PostgresPair


def test_every_failover_step_is_answered_and_no_read_fails(fresh_postgres_pair: PostgresPair, tmp_path: Path) -> None:
    steps, reads = run(fresh_postgres_pair, tmp_path)

    assert [step.action for step in steps] == [
        "replica stopped",
        "replica stopped",
        "replica started",
        "replay paused, a coupon written",
        "replay resumed",
        "primary stopped",
        "primary started",
        "primary stopped, replica promoted",
    ]
    assert [step for step in steps if step.seconds is None] == []
    assert "20 x 503" in next(step.detail for step in steps if step.action == "primary stopped")
    assert set(reads.statuses) == {200}
    assert "not within the bound" not in render(steps, reads)
