"""Problem answers become exceptions by their `code`: every catalogued code has its class, in the right package."""

from __future__ import annotations

import email.utils
import importlib
import pkgutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import dataservices.clients
from dataservices.clients import (
    CallFailed,
    Conflict,
    GatewayFailed,
    InternalError,
    OutcomeUnknown,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
    UnexpectedResponse,
    UnreadableAnswer,
)
from dataservices.clients.errors import error_from_response, retry_after_seconds, unreadable_answer

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
CORE_MODULE = "dataservices.clients.errors"


def _catalogue() -> dict[str, dict[str, Any]]:
    """Every problem type of every catalogue under `contracts/` (today one, `shared/problem-types.yaml`)."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(CONTRACTS.glob("**/problem-types.yaml")):
        entries.update(yaml.safe_load(path.read_text()))
    return entries


CATALOGUE = _catalogue()
# Each service's client package declares its codes when imported; a new service's is found here too.
CLIENT_PACKAGES = [
    importlib.import_module(f"dataservices.clients.{module.name}")
    for module in pkgutil.iter_modules(dataservices.clients.__path__)
    if module.ispkg
]


def _declared_codes(root: type[ServiceError] = ServiceError) -> set[str]:
    codes = set()
    for subclass in root.__subclasses__():
        if subclass.problem_code is not None:
            codes.add(subclass.problem_code)
        codes |= _declared_codes(subclass)
    return codes


def test_the_catalogue_and_the_client_packages_are_found() -> None:
    assert len(CATALOGUE) >= 30
    assert "dataservices.clients.coupon" in {package.__name__ for package in CLIENT_PACKAGES}


@pytest.mark.parametrize("slug", sorted(CATALOGUE))
def test_every_catalogued_code_has_its_class_where_its_services_find_it(slug: str) -> None:
    entry = CATALOGUE[slug]
    error_class = ServiceError.for_code(entry["code"])

    assert error_class is not None, f"no client error class for {entry['code']} ({slug})"
    assert error_class.problem_code == entry["code"]
    assert error_class.__doc__, f"{error_class.__qualname__} needs a docstring saying what the problem means"
    # A code several services answer lives in the core, so each service's client raises the same class.
    # A code one service answers lives in that service's client package, or in the core when it comes from
    # a mechanism every service will share (idempotency keys, If-Match), which only one service uses yet.
    services = entry["services"]
    allowed = {CORE_MODULE}
    if "all" not in services and len(services) == 1:
        allowed.add(f"dataservices.clients.{services[0]}.errors")
    assert error_class.__module__ in allowed


def test_no_class_claims_a_code_the_catalogue_lacks() -> None:
    assert _declared_codes() == {entry["code"] for entry in CATALOGUE.values()}


def test_a_code_cannot_be_declared_twice() -> None:
    with pytest.raises(TypeError, match=r"RATE_LIMITED already has dataservices\.clients\.errors\.RateLimited"):

        class AnotherRateLimit(ServiceError, code="RATE_LIMITED"):
            pass


def _answer(status: int, body: Any = None, headers: dict[str, str] | None = None, text: str | None = None) -> Any:
    request = httpx.Request("GET", "http://service.test/v1/things")
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def _problem(status: int, code: str) -> dict[str, Any]:
    return {"type": "https://errors.test/x/", "title": "Something", "status": status, "code": code}


@pytest.mark.parametrize(
    ("status", "expected"),
    [(409, Conflict), (429, RateLimited), (500, InternalError), (503, ServiceUnavailable), (418, ServiceError)],
)
def test_a_code_this_client_does_not_know_is_classified_by_status(status: int, expected: type[ServiceError]) -> None:
    error = error_from_response(_answer(status, _problem(status, "INVENTED_BY_A_NEWER_SERVICE")))

    assert type(error) is expected
    assert error.code == "INVENTED_BY_A_NEWER_SERVICE"


@pytest.mark.parametrize(
    ("status", "expected", "outcome_unknown"),
    [
        (502, GatewayFailed, True),  # a proxy lost the answer: the service may have done the work
        (504, GatewayFailed, True),
        (503, ServiceUnavailable, False),
        (429, RateLimited, False),
        (404, UnexpectedResponse, False),  # not the service's 404: no problem document
        (500, UnexpectedResponse, False),
    ],
)
def test_an_answer_without_a_problem_document_says_what_can_be_known(
    status: int, expected: type[ServiceError], outcome_unknown: bool
) -> None:
    error = error_from_response(_answer(status, text="<html>Bad gateway</html>"))

    assert type(error) is expected
    assert isinstance(error, OutcomeUnknown) is outcome_unknown
    assert (error.status, error.code) == (status, "UNEXPECTED_RESPONSE")
    assert error.detail is not None
    assert "Bad gateway" in error.detail


def test_a_replayed_refusal_and_its_retry_after_are_read_from_the_headers() -> None:
    answer = _answer(503, _problem(503, "SERVICE_UNAVAILABLE"), {"Retry-After": "7", "Idempotent-Replayed": "true"})

    error = error_from_response(answer)

    assert (error.retry_after, error.replayed, error.retryable) == (7.0, True, True)


def test_an_unreadable_success_is_an_unknown_outcome() -> None:
    error = unreadable_answer(_answer(201, {"unexpected": True}), ValueError("no id"))

    assert isinstance(error, UnreadableAnswer)
    assert isinstance(error, OutcomeUnknown)
    assert isinstance(error, CallFailed)
    assert error.detail == "GET /v1/things answered 201 in a shape the contract does not allow: no id"


def test_retry_after_is_seconds_or_an_http_date() -> None:
    now = datetime(2027, 3, 1, 12, 0, 0, tzinfo=UTC)
    in_90_seconds = email.utils.format_datetime(now + timedelta(seconds=90), usegmt=True)
    in_the_past = email.utils.format_datetime(now - timedelta(seconds=90), usegmt=True)

    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds(in_90_seconds, now) == 90.0
    assert retry_after_seconds(in_the_past, now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("-5", now) is None
    assert retry_after_seconds(None, now) is None
