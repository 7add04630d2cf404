"""Registers the shared fixture plugins; fixtures themselves live in tests/fixtures/."""

from dataservices.common.observability import configure_logging

pytest_plugins = [
    "tests.fixtures.live_server",
    "tests.fixtures.postgres",
    "tests.fixtures.services",
    "tests.fixtures.coupon_service",
]

# Services in tests log as they do when served: JSON lines. Without this, structlog's development
# renderer draws every logged exception with its local variables, which takes seconds per 500.
# Loggers are not cached, so a test may raise the level and capture what the services write.
configure_logging("warning", cache_loggers=False)
