"""Requests are checked against the contract before any domain code runs, and every mistake is named.

Through a live coupon service: unreadable bodies (400), other media types (415), schema violations
(422 with `errors[]`: location, pointer, message), the headers whose absence has its own status
(`Idempotency-Key` 400, `If-Match` 428) and a stale `If-Match` (412).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fixtures.coupon_service import RunningCouponService

PROBLEM = "application/problem+json"
CATALOGUE = "https://dataservices.example.com/errors/"


@pytest.fixture(scope="module")
def client(coupon_service_module: RunningCouponService) -> Iterator[httpx.Client]:
    with coupon_service_module.client() as client:
        yield client


def _coupon_body(**overrides: Any) -> dict[str, Any]:
    return {
        "code": f"V{uuid.uuid4().hex[:10].upper()}",
        "name": "Validation test coupon",
        "currency": "EUR",
        "discount": {"type": "PERCENTAGE", "percent": 10},
        "startsAt": "2026-01-01T00:00:00Z",
        "expiresAt": "2099-01-01T00:00:00Z",
        **overrides,
    }


@pytest.fixture(scope="module")
def coupon(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/v1/coupons", json=_coupon_body())
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["type"].startswith(CATALOGUE)
    assert problem["title"]
    assert problem["detail"]
    return problem


def _errors(response: httpx.Response) -> list[tuple[str, str]]:
    """The (location, pointer) of each reported error; every error also says what is wrong."""
    problem = _problem(response, 422, "VALIDATION_FAILED")
    assert problem["type"] == f"{CATALOGUE}validation-failed/"
    for error in problem["errors"]:
        assert set(error) == {"location", "pointer", "message"}
        assert error["message"]
    return [(error["location"], error["pointer"]) for error in problem["errors"]]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"percent": NaN}', id="nan"),
        pytest.param(b'{"percent": Infinity}', id="infinity"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b"[" * 20_000, id="nested-too-deep"),
        pytest.param(b"{} {}", id="two-documents"),
    ],
)
def test_bodies_json_cannot_represent_are_400_problems(client: httpx.Client, body: bytes) -> None:
    response = client.post("/v1/coupons", content=body, headers={"Content-Type": "application/json"})

    _problem(response, 400, "MALFORMED_REQUEST")


def test_json_with_a_charset_parameter_is_accepted(client: httpx.Client) -> None:
    response = client.post(
        "/v1/coupons",
        content=httpx.Request("POST", "/", json=_coupon_body()).content,
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )

    assert response.status_code == 201, response.text


def test_a_missing_required_body_is_a_422_at_the_whole_body(client: httpx.Client) -> None:
    response = client.post("/v1/coupons", headers={"Content-Type": "application/json"})

    assert _errors(response) == [("BODY", "")]


def test_every_invalid_value_is_reported_at_once_with_its_pointer(client: httpx.Client) -> None:
    body = _coupon_body(code="lower", currency="euro", perUserLimit=0, totalLimit=1.5)
    del body["name"]

    response = client.post("/v1/coupons", json=body)

    errors = _errors(response)
    assert set(errors) == {
        ("BODY", ""),  # name is required
        ("BODY", "/code"),
        ("BODY", "/currency"),
        ("BODY", "/perUserLimit"),
        ("BODY", "/totalLimit"),
    }
    assert response.json()["detail"] == f"{len(errors)} values in the request are invalid."
    messages = {error["pointer"]: error["message"] for error in response.json()["errors"]}
    assert "'name' is a required property" in messages[""]
    assert "minimum of 1" in messages["/perUserLimit"]


def test_an_invalid_nested_value_is_pointed_at(client: httpx.Client, coupon: dict[str, Any]) -> None:
    response = client.post(
        f"/v1/coupons/{coupon['id']}/quotes",
        json={"userId": "usr_1", "orderAmount": {"amount": -1, "currency": "EUR"}},
    )

    assert _errors(response) == [("BODY", "/orderAmount/amount")]


def test_an_unknown_property_is_refused(client: httpx.Client, coupon: dict[str, Any]) -> None:
    response = client.post(
        f"/v1/coupons/{coupon['id']}/quotes",
        json={"userId": "usr_1", "orderAmount": {"amount": 1, "currency": "EUR"}, "coupon": "X"},
    )

    assert _errors(response) == [("BODY", "")]
    assert "'coupon' was unexpected" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("discount", "pointer", "words"),
    [
        pytest.param({"type": "PERCENTAGE", "percent": 101}, "/discount/percent", "maximum of 100", id="percent-101"),
        pytest.param({"type": "PERCENTAGE", "percent": 0}, "/discount/percent", "minimum of 1", id="percent-0"),
        pytest.param(
            {"type": "FIXED_AMOUNT", "amount": {"amount": -5, "currency": "EUR"}},
            "/discount/amount/amount",
            "minimum of 0",
            id="negative-fixed-amount",
        ),
        pytest.param({"type": "PERCENTAGE"}, "/discount", "'percent' is a required property", id="percent-missing"),
    ],
)
def test_an_invalid_discount_is_explained_by_its_own_type(
    client: httpx.Client, discount: dict[str, Any], pointer: str, words: str
) -> None:
    response = client.post("/v1/coupons", json=_coupon_body(discount=discount))

    problem = _problem(response, 422, "VALIDATION_FAILED")
    assert [(error["pointer"], words in error["message"]) for error in problem["errors"]] == [(pointer, True)]


def test_rules_beyond_the_schema_are_422_with_pointers(client: httpx.Client) -> None:
    body = _coupon_body(
        startsAt="2027-01-01T00:00:00Z",
        expiresAt="2026-01-01T00:00:00Z",
        discount={"type": "FIXED_AMOUNT", "amount": {"amount": 500, "currency": "USD"}},
        minimumOrderAmount={"amount": 1000, "currency": "GBP"},
    )

    response = client.post("/v1/coupons", json=body)

    assert set(_errors(response)) == {
        ("BODY", "/expiresAt"),
        ("BODY", "/discount/amount/currency"),
        ("BODY", "/minimumOrderAmount/currency"),
    }


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ({"limit": 0}, "/limit"),
        ({"limit": 101}, "/limit"),
        ({"limit": "ten"}, "/limit"),
        ({"status": "DELETED"}, "/status"),
        ({"cursor": "not/a cursor"}, "/cursor"),
        ({"code": "x"}, "/code"),
    ],
)
def test_invalid_query_parameters_are_422_in_the_query(
    client: httpx.Client, query: dict[str, Any], pointer: str
) -> None:
    response = client.get("/v1/coupons", params=query)

    assert set(_errors(response)) == {("QUERY", pointer)}


def test_an_invalid_path_parameter_is_422_in_the_path(client: httpx.Client) -> None:
    response = client.get("/v1/redemptions/rdm_lowercase")

    assert set(_errors(response)) == {("PATH", "/redemptionId")}


def test_an_invalid_header_is_422_in_the_headers(client: httpx.Client, coupon: dict[str, Any]) -> None:
    response = client.post(
        f"/v1/coupons/{coupon['id']}/redemptions",
        json={"userId": "usr_1", "orderId": "ord_1", "orderAmount": {"amount": 1, "currency": "EUR"}},
        headers={"Idempotency-Key": "two words"},
    )

    assert _errors(response) == [("HEADER", "/Idempotency-Key")]


def test_parameters_and_body_are_reported_together(client: httpx.Client) -> None:
    response = client.post(
        "/v1/coupons/not-a-coupon/redemptions",
        json={"userId": "", "orderId": "ord_1", "orderAmount": {"amount": 1, "currency": "EUR"}},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )

    locations = {location for location, _ in _errors(response)}
    assert locations == {"PATH", "BODY"}


def test_an_if_match_that_is_not_an_etag_is_422(client: httpx.Client, coupon: dict[str, Any]) -> None:
    response = client.patch(f"/v1/coupons/{coupon['id']}", json={"name": "Weak"}, headers={"If-Match": 'W/"1"'})

    assert _errors(response) == [("HEADER", "/If-Match")]


def test_an_empty_change_is_422(client: httpx.Client, coupon: dict[str, Any]) -> None:
    response = client.patch(f"/v1/coupons/{coupon['id']}", json={}, headers={"If-Match": '"1"'})

    assert _errors(response) == [("BODY", "")]
