"""Registers the shared fixture plugins; fixtures themselves live in tests/fixtures/."""

pytest_plugins = ["tests.fixtures.live_server", "tests.fixtures.coupon_service", "tests.fixtures.postgres"]
