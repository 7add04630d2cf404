"""The service benchmark's PostgreSQL baseline on the test pair: the service's own statements, and runs that count.

The statements the served coupon service sends are read from the servers' own statement logs (`log_statement`
set on the test's database), so the comparison is with what PostgreSQL ran, not with what the code meant to
send. Nothing here asserts a duration or a rate.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import psycopg

from bench.service import data, postgres_direct
from dataservices.common.auth import issue_development_token
from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from dataservices.pgpair import PairDatabase, PostgresPair
from tests.fixtures.coupon_service import ALL_SCOPES, TEST_AUTH
from tests.fixtures.live_server import serve

# A log entry's first line holds the statement after "statement: " (simple protocol) or "execute <name>: "
# (extended protocol, which psycopg and asyncpg use); its continuation lines start with a tab.
_LOGGED = re.compile(r"LOG:\s+(?:statement|execute [^:]+):\s(?P<sql>.*)")
# Literals and placeholders (`$1`), each turned into `?`, so statements compare by shape.
_LITERAL = re.compile(r"'(?:[^']|'')*'|(?<![\w.$])-?\d+(?:\.\d+)?(?![\w.])|\bNULL\b|\$\d+")


def _normalised(sql: str) -> str:
    return _LITERAL.sub("?", re.sub(r"\s+", " ", sql).strip())


def _statements(log: Path, offset: int) -> list[str]:
    """The statements a server logged after byte `offset` of its log, normalised."""
    with log.open("rb") as file:
        file.seek(offset)
        text = file.read().decode(errors="replace")
    statements: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("\t") and current is not None:
            current.append(line)
            continue
        if current is not None:
            statements.append(_normalised(" ".join(current)))
            current = None
        if match := _LOGGED.search(line):
            current = [match.group("sql")]
    if current is not None:
        statements.append(_normalised(" ".join(current)))
    return statements


def test_the_asyncpg_baseline_sends_the_statements_the_service_sends(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    seeded = data.migrate_and_seed(postgres_database.primary_url, spread_count=1)
    with psycopg.connect(postgres_database.primary_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f"ALTER DATABASE {postgres_database.name} SET log_statement = 'all'")
    postgres_pair.wait_for_replica()  # the setting and the coupons, on the replica too
    logs = (postgres_pair.primary.log_file, postgres_pair.replica.log_file)
    offsets = [log.stat().st_size for log in logs]

    settings = CouponSettings(
        database_url=postgres_database.primary_url,
        replica_database_url=postgres_database.replica_url,
        replica_max_lag_seconds=3600,
    )
    headers = {"Authorization": f"Bearer {issue_development_token(TEST_AUTH, list(ALL_SCOPES))}"}
    coupon_id, code = seeded.spread_ids[0], seeded.spread_codes[0]
    with (
        serve(create_app(settings, TEST_AUTH)) as server,
        httpx.Client(base_url=server.url, headers=headers, timeout=30) as client,
    ):
        body = {"userId": "u1", "orderId": "o1", "orderAmount": {"amount": 5000, "currency": "EUR"}}
        redeemed = client.post(f"/v1/coupons/{coupon_id}/redemptions", json=body, headers={"Idempotency-Key": "k"})
        assert redeemed.status_code == 201, redeemed.text
        assert client.get(f"/v1/coupons/{coupon_id}").status_code == 200
        assert client.get("/v1/coupons", params={"code": code}).status_code == 200

    sent = [statement for log, offset in zip(logs, offsets, strict=True) for statement in _statements(log, offset)]
    expected = (*postgres_direct.REDEMPTION_STATEMENTS, postgres_direct.READ_COUPON, postgres_direct.LIST_BY_CODE)
    missing = [statement for statement in expected if _normalised(statement) not in sent]
    assert not missing, f"the service did not send {missing}; it sent {sent}"


def test_the_asyncpg_baseline_redeems_and_reads_on_a_migrated_database(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> None:
    url = postgres_database.primary_url
    seeded = data.migrate_and_seed(url, spread_count=3)
    ids = seeded.spread_ids

    sample = postgres_direct.redemptions(url, ids, "base", seconds=0.2)
    outcome = data.run_outcome(url, "base")
    assert sample.succeeded > 0
    assert outcome == data.RunOutcome(redemptions=sample.succeeded, completed_201=sample.succeeded, in_flight=0)
    assert sum(data.coupon_usage(url, coupon_id)[0] for coupon_id in ids) == sample.succeeded

    postgres_pair.wait_for_replica()
    replica = postgres_database.replica_url
    assert postgres_direct.reads(replica, "id", ids, seconds=0.1).succeeded > 0
    assert postgres_direct.reads(replica, "code", seeded.spread_codes, seconds=0.1).succeeded > 0
