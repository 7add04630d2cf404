"""The service benchmark's pieces against a real coupon service and real SQLite files, on a tiny scale.

A one-second wrk run of redemptions is checked against the database the way `make bench` checks every point; the
direct baseline is held to the statements the service really sends; a small burst meets its coupon's limit.
Nothing here asserts a duration or a rate.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from bench.service import data, sqlite_direct
from bench.service.burst import redemption_burst
from bench.service.report import Burst
from bench.service.wrk import WrkRun, run_wrk
from bench.service_bench import redemption_plan, redemption_problems, settled_outcome
from tests.fixtures.coupon_service import RunningCouponService

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")


def _coupon(service: RunningCouponService, code: str, total_limit: int | None = None) -> str:
    body: dict[str, object] = {
        "code": code,
        "name": code,
        "currency": "EUR",
        "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 500, "currency": "EUR"}},
        "startsAt": "2020-01-01T00:00:00Z",
        "expiresAt": "2099-01-01T00:00:00Z",
        "perUserLimit": 1,
    }
    if total_limit is not None:
        body["totalLimit"] = total_limit
    with service.client() as client:
        answer = client.post("/v1/coupons", json=body)
    assert answer.status_code == 201, answer.text
    coupon_id: str = answer.json()["id"]
    return coupon_id


@needs_wrk
def test_a_wrk_run_of_redemptions_matches_the_database(coupon_service: RunningCouponService, tmp_path: Path) -> None:
    ids = (_coupon(coupon_service, "ONE"), _coupon(coupon_service, "TWO"))
    plan = redemption_plan(coupon_service.token(), ids, "tiny-run")
    run = run_wrk(coupon_service.url, plan, connections=2, seconds=1, workdir=tmp_path)
    outcome = settled_outcome(coupon_service.database_url, "tiny-run")

    assert run.succeeded > 0
    assert set(run.statuses) == {201}
    assert redemption_problems(run, outcome) == []
    assert outcome.completed_201 == outcome.redemptions >= run.succeeded


def _run(answered_201: int, sent: int, statuses: dict[int, int] | None = None) -> WrkRun:
    statuses = statuses or {201: answered_201}
    answered = sum(statuses.values())
    return WrkRun(1.0, answered, sent, statuses, {"connect": 0, "read": 0, "write": 0, "timeout": 0}, 1, 1, 1, 1)


@pytest.mark.parametrize(
    ("run", "outcome", "problem"),
    [
        (_run(10, 12), data.RunOutcome(redemptions=10, completed_201=10, in_flight=0), None),
        (_run(10, 12), data.RunOutcome(redemptions=12, completed_201=12, in_flight=0), None),
        (_run(10, 12), data.RunOutcome(redemptions=13, completed_201=13, in_flight=0), "13 redemptions for 10"),
        (_run(10, 12), data.RunOutcome(redemptions=9, completed_201=9, in_flight=0), "9 redemptions for 10"),
        (_run(10, 12), data.RunOutcome(redemptions=10, completed_201=9, in_flight=0), "but 9 stored 201"),
        (_run(10, 12), data.RunOutcome(redemptions=10, completed_201=10, in_flight=1), "1 keys still in flight"),
        (_run(8, 12, {201: 8, 500: 2}), data.RunOutcome(8, 8, 0), "2 requests failed"),
    ],
)
def test_a_run_is_judged_against_what_it_left_in_the_database(
    run: WrkRun, outcome: data.RunOutcome, problem: str | None
) -> None:
    found = redemption_problems(run, outcome)
    if problem is None:
        assert found == []
    else:
        assert any(problem in line for line in found), found


# SQLite's trace shows statements with their values in place; the baseline's have placeholders. Both sides are
# compared with every literal and placeholder turned into `?`.
_LITERAL = re.compile(r"[Xx]'[0-9A-Fa-f]*'|'(?:[^']|'')*'|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])|\bNULL\b|:\w+|\?")


def _normalised(sql: str) -> str:
    return _LITERAL.sub("?", re.sub(r"\s+", " ", sql).strip())


def test_the_baseline_sends_the_statements_the_service_sends(coupon_service: RunningCouponService) -> None:
    coupon_id = _coupon(coupon_service, "SHAPE")
    sent: list[str] = []
    engines = {
        coupon_service.server.app.state.database.write_engine,
        coupon_service.server.app.state.database.read_engine,
    }

    def trace(connection: sqlite3.Connection, _record: object) -> None:
        connection.set_trace_callback(lambda statement: sent.append(_normalised(statement)))

    # New connections from here on report every statement SQLite runs, as SQLite ran it.
    for engine in engines:
        event.listen(engine, "connect", trace)
        engine.dispose()
    try:
        with coupon_service.client() as client:
            body = {"userId": "u1", "orderId": "o1", "orderAmount": {"amount": 5000, "currency": "EUR"}}
            redeemed = client.post(f"/v1/coupons/{coupon_id}/redemptions", json=body, headers={"Idempotency-Key": "k"})
            assert redeemed.status_code == 201
            assert client.get(f"/v1/coupons/{coupon_id}").status_code == 200
            assert client.get("/v1/coupons", params={"code": "SHAPE"}).status_code == 200
    finally:
        for engine in engines:
            event.remove(engine, "connect", trace)

    for statement in (*sqlite_direct.REDEMPTION_STATEMENTS, sqlite_direct.READ_COUPON, sqlite_direct.LIST_BY_CODE):
        assert _normalised(statement) in sent


def test_the_baseline_redeems_and_reads_on_a_migrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'direct.db'}"
    seeded = data.migrate_and_seed(url, spread_count=3)
    ids = seeded.spread_ids

    sample = sqlite_direct.redemptions(url, ids, "base", seconds=0.2)
    outcome = data.run_outcome(url, "base")
    assert sample.succeeded > 0
    assert outcome == data.RunOutcome(redemptions=sample.succeeded, completed_201=sample.succeeded, in_flight=0)
    assert sum(data.coupon_usage(url, coupon_id)[0] for coupon_id in ids) == sample.succeeded

    assert sqlite_direct.reads(url, "id", ids, seconds=0.1).succeeded > 0
    assert sqlite_direct.reads(url, "code", seeded.spread_codes, seconds=0.1).succeeded > 0
    with pytest.raises(ValueError, match="by id or by code"):
        sqlite_direct.reads(url, "name", ids, seconds=0.1)


def test_a_burst_gets_exactly_the_limit_and_refusals_for_the_rest(coupon_service: RunningCouponService) -> None:
    coupon_id = _coupon(coupon_service, "BURST", total_limit=3)
    host, port = coupon_service.server.host, coupon_service.server.port
    result = redemption_burst(host, port, coupon_id, coupon_service.token(), "tiny-burst", 10)
    confirmed, rows = data.coupon_usage(coupon_service.database_url, coupon_id)

    assert dict(result.outcomes) == {"201": 3, "409 COUPON_EXHAUSTED": 7}
    assert Burst(result, 3, confirmed, rows).problems == ()
    assert Burst(result, 4, confirmed, rows).problems != ()
