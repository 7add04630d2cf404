"""The reference coupon service keeps every promise of the behavioural kit, over HTTP on 127.0.0.1.

This is where the coupon service's behaviour is tested: the kit holds the checks, so any other
implementation is held to exactly the same ones. After the run, the service's own database is read
to check what the API cannot show: stored counters equal the rows they summarise.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from contractkit.bundle import bundle
from contractkit.kit import KitOptions, KitReport, Outcome, SigningKey, promises_for, run_kit
from tests.fixtures.coupon_service import TEST_AUTH, running_coupon_service

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "coupon" / "openapi.yaml"
SEED = 20261207


def kit_credentials() -> SigningKey:
    """The kit mints tokens with the test services' own HS256 key, as their identity provider would."""
    return SigningKey(
        algorithm="HS256", key=TEST_AUTH.hs256_secret, issuer=TEST_AUTH.issuer, audience=TEST_AUTH.audience
    )


@pytest.fixture(scope="module")
def kit_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[KitReport, Path]:
    with running_coupon_service(tmp_path_factory.mktemp("kit")) as service:
        report = asyncio.run(run_kit(bundle(CONTRACT), KitOptions(base_url=service.url, seed=SEED), kit_credentials()))
        return report, service.database_path


@pytest.mark.slow
def test_the_reference_service_keeps_every_promise(kit_run: tuple[KitReport, Path]) -> None:
    report, _ = kit_run
    broken = {r.promise.id: r.messages for r in report.results if r.outcome is not Outcome.PASSED}
    assert broken == {}
    assert report.passed


@pytest.mark.slow
def test_every_promise_of_the_coupon_kit_was_judged(kit_run: tuple[KitReport, Path]) -> None:
    report, _ = kit_run
    assert [r.promise.id for r in report.results] == [p.id for p in promises_for("coupon-service")]
    assert all(r.cases > 0 for r in report.results), [r.promise.id for r in report.results if not r.cases]


@pytest.mark.slow
def test_stored_counters_equal_the_rows_after_the_kit(kit_run: tuple[KitReport, Path]) -> None:
    _, database = kit_run
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        counters = connection.execute(
            """
            SELECT c.id, c.confirmed_count, c.reserved_count,
                   (SELECT count(*) FROM redemptions r WHERE r.coupon_id = c.id AND r.status = 'CONFIRMED'),
                   (SELECT count(*) FROM redemptions r WHERE r.coupon_id = c.id AND r.status = 'RESERVED'),
                   (SELECT coalesce(sum(used), 0) FROM coupon_user_usage u WHERE u.coupon_id = c.id)
            FROM coupons c
            """
        ).fetchall()
    assert len(counters) > 50
    for coupon_id, confirmed, reserved, confirmed_rows, reserved_rows, user_used in counters:
        assert (confirmed, reserved) == (confirmed_rows, reserved_rows), coupon_id
        assert user_used == confirmed + reserved, coupon_id


def test_a_service_module_is_found_by_the_contracts_service_name() -> None:
    assert {p.id for p in promises_for("coupon-service")} > {p.id for p in promises_for(None)}
    assert all(p.id.startswith("KIT-") for p in promises_for("no-such-service"))


def test_an_unreachable_implementation_breaks_promises_instead_of_hanging(tmp_path: Path) -> None:
    with running_coupon_service(tmp_path) as service:
        url = service.url
    options = KitOptions(base_url=url, only=frozenset({"KIT-101", "COUPON-201"}), timeout_seconds=2)
    report = asyncio.run(run_kit(bundle(CONTRACT), options, kit_credentials()))
    assert [(r.promise.id, r.outcome) for r in report.results] == [
        ("KIT-101", Outcome.FAILED),
        ("COUPON-201", Outcome.FAILED),
    ]
    assert not report.passed
    assert all("no answer" in " ".join(r.messages) or "could not" in " ".join(r.messages) for r in report.results)
