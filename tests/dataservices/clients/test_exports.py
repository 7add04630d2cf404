"""The client core's public API is what `dataservices.clients` exports, and it has what a service's client needs."""

from __future__ import annotations

import dataservices.clients as core


def test_the_exports_are_sorted_and_each_exists() -> None:
    assert sorted(core.__all__) == core.__all__
    assert [name for name in core.__all__ if not hasattr(core, name)] == []


def test_a_service_client_can_be_built_from_the_exports_alone() -> None:
    needed = {"ServiceClient", "Call", "ContractModel", "Money", "Page", "Problem", "ServiceError", "Conflict"}
    needed |= {"NotFound", "NotSent", "OutcomeUnknown", "RetryPolicy", "Timeouts", "ClientCredentials"}
    needed |= {"read_your_writes", "deadline", "use_traceparent", "walk_pages", "UtcDatetime"}

    assert needed <= set(core.__all__)
