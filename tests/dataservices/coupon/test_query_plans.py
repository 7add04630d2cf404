"""The statements of a redemption reach their rows through an index, so a coupon's cost does not grow with its uses.

SQLite's own query planner is asked (EXPLAIN QUERY PLAN) on a migrated database, for the SQL the service sends.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from dataservices.common.db import Database
from dataservices.common.idempotency import IdempotencyKeys
from dataservices.common.migrate import upgrade
from dataservices.common.sql import prepare
from dataservices.coupon import repository
from dataservices.coupon.spec import SPEC as COUPON
from dataservices.coupon.tables import idempotency_keys

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PARAMETERS: dict[str, Any] = {
    "coupon_id": "cpn_x", "b_coupon_id": "cpn_x", "order_id": "o", "user_id": "u", "b_user_id": "u",
    "redemption_id": "rdm_x", "now": NOW, "source": "RESERVED", "target": "CONFIRMED",
    "b_client_id": "c", "b_key": "k", "b_claim": NOW,
}  # fmt: skip


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = Path(tmp_path_factory.mktemp("plans")) / "coupon.db"
    upgrade(COUPON, f"sqlite:///{path}")
    dialect = Database(f"sqlite:///{path}").write_engine.dialect
    connection = sqlite3.connect(path)

    def plan(statement: Any, keys: frozenset[str] = frozenset()) -> str:
        prepared = prepare(statement, dialect, keys)
        values = prepared.parameters({**dict.fromkeys(keys, "v"), **PARAMETERS})
        rows = connection.execute(f"EXPLAIN QUERY PLAN {prepared.sql}", values).fetchall()
        return "\n".join(row[-1] for row in rows)

    yield plan
    connection.close()


def _keys(folder: Path) -> IdempotencyKeys:
    database = Database(f"sqlite:///{folder / 'keys.db'}")
    return IdempotencyKeys(database, idempotency_keys, ttl_seconds=60, lock_seconds=60, problem_base_uri="x")


@pytest.mark.parametrize(
    "name",
    ["_GET_COUPON", "_FIND_ORDER", "_USER_USED", "_EXPIRED_HOLDS_OF_USER", "_CONFIRM_USAGE", "_GET_REDEMPTION"],
)
def test_a_hot_path_statement_scans_no_table(plans: Any, name: str) -> None:
    found = plans(getattr(repository, name))
    assert "SCAN" not in found, found


def test_the_order_check_uses_the_partial_index_of_active_orders(plans: Any) -> None:
    # Through (coupon_id, status) instead, it would read every confirmed redemption of the coupon.
    assert "USING INDEX uq_redemptions_active_order (coupon_id=? AND order_id=?)" in plans(repository._FIND_ORDER)


def test_taking_a_use_and_releasing_holds_search_by_key(plans: Any) -> None:
    assert "SCAN" not in plans(repository._TAKE_USAGE[False])
    assert "SCAN" not in plans(repository._RELEASE[True])
    assert "SCAN" not in plans(repository._take_user_usage("sqlite"))


def test_the_idempotency_key_statements_search_by_key(plans: Any, tmp_path: Path) -> None:
    keys = _keys(tmp_path)
    assert "SCAN" not in plans(keys._select_key)
    answer = frozenset({"b_client_id", "b_key", "b_claim", "state", "response_status"})
    assert "SCAN" not in plans(keys._complete_key, answer)


def test_the_plans_see_the_real_schema(tmp_path: Path) -> None:
    # The fixture's database is the migrated one: without its indexes, the same query scans.
    path = tmp_path / "bare.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE redemptions (id, coupon_id, order_id, status)")
    engine.dispose()
    with sqlite3.connect(path) as bare:
        rows = bare.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM redemptions WHERE coupon_id = 'c' AND order_id = 'o'"
        ).fetchall()
    assert "SCAN" in rows[0][-1]
