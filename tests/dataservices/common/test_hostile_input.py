"""Input an attacker would try, sent to a live coupon service: each is a 400/422 problem, never a 500, and
nothing of it is stored.

Patterns match the whole string (a trailing newline makes no second coupon code and no second user), text
that no database can store (U+0000, a lone surrogate) is refused before it reaches one, and parameters that
are numbers are whole strings of ASCII digits. Each case starts from a request that would succeed and
breaks one thing, so the refusal can only be about that thing; afterwards the service's own listings show
that nothing was written.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dataservices.common.auth import issue_development_token
from dataservices.common.migrate import upgrade
from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from dataservices.coupon.spec import SPEC as COUPON
from dataservices.pgpair import PairDatabase
from tests.fixtures.coupon_service import TEST_AUTH, RunningCouponService
from tests.fixtures.live_server import serve

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(coupon_service_module: RunningCouponService) -> Iterator[httpx.Client]:
    with coupon_service_module.client() as client:
        yield client


def _code() -> str:
    return f"H{uuid.uuid4().hex[:10].upper()}"


def _coupon_body(**overrides: Any) -> dict[str, Any]:
    return {
        "code": _code(),
        "name": "Hostile input coupon",
        "currency": "EUR",
        "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 500, "currency": "EUR"}},
        "startsAt": "2026-01-01T00:00:00Z",
        "expiresAt": "2099-01-01T00:00:00Z",
        **overrides,
    }


def _order(user: str = "usr_42", order: str | None = None) -> dict[str, Any]:
    return {
        "userId": user,
        "orderId": order or f"ord_{uuid.uuid4().hex[:12]}",
        "orderAmount": {"amount": 4990, "currency": "EUR"},
    }


def _refused(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """The problem document of a refusal with one of `statuses` (a 4xx)."""
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["status"] == response.status_code
    assert problem["code"]
    assert problem["detail"]
    return problem


def _pointers(problem: dict[str, Any]) -> set[tuple[str, str]]:
    return {(error["location"], error["pointer"]) for error in problem.get("errors", [])}


def _post_raw(client: httpx.Client, path: str, text: str, **headers: str) -> httpx.Response:
    """POST JSON text exactly as written (escapes such as `\\ud800` reach the service unchanged)."""
    return client.post(path, content=text.encode(), headers={"Content-Type": "application/json", **headers})


def _coupons_with_code(client: httpx.Client, code: str) -> list[dict[str, Any]]:
    response = client.get("/v1/coupons", params={"code": code, "limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _coupon_count(client: httpx.Client) -> int:
    """Every coupon the service holds (pages walked to the end)."""
    count, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/coupons", params=params).json()
        count += len(page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            return count


@pytest.fixture
def coupon(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/v1/coupons", json=_coupon_body(perUserLimit=1))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _redeem(client: httpx.Client, coupon_id: str, body: dict[str, Any]) -> httpx.Response:
    return client.post(
        f"/v1/coupons/{coupon_id}/redemptions", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
    )


def _redemptions(client: httpx.Client, coupon_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/coupons/{coupon_id}/redemptions", params={"limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_trailing_newline_does_not_make_a_second_coupon_with_the_same_code(client: httpx.Client) -> None:
    body = _coupon_body()
    assert client.post("/v1/coupons", json=body).status_code == 201

    again = client.post("/v1/coupons", json={**body, "code": body["code"] + "\n"})

    assert _pointers(_refused(again, 422)) == {("BODY", "/code")}
    assert len(_coupons_with_code(client, body["code"])) == 1


def test_a_trailing_newline_does_not_make_another_user(client: httpx.Client, coupon: dict[str, Any]) -> None:
    first = _redeem(client, coupon["id"], _order("usr_42"))
    disguised = _redeem(client, coupon["id"], _order("usr_42\n"))
    second = _redeem(client, coupon["id"], _order("usr_42"))

    assert first.status_code == 201, first.text
    assert _pointers(_refused(disguised, 422)) == {("BODY", "/userId")}
    assert _refused(second, 409)["code"] == "COUPON_USER_LIMIT_REACHED"
    assert [item["userId"] for item in _redemptions(client, coupon["id"])] == ["usr_42"]


@pytest.mark.parametrize("character", ["\n", "\r", "\t", "\x00", "\x07", "\x1b", "\x7f", "\u2028", "\uff10"])
def test_a_control_or_foreign_character_in_a_patterned_field_is_422(client: httpx.Client, character: str) -> None:
    body = _coupon_body()
    code = body["code"][:5] + character + body["code"][5:]

    response = client.post("/v1/coupons", json={**body, "code": code})

    assert _pointers(_refused(response, 422)) == {("BODY", "/code")}
    assert _coupons_with_code(client, body["code"]) == []


@pytest.mark.parametrize(
    ("escaped", "where"),
    [
        pytest.param('"name": "Sale \\ud800"', "/name", id="lone-high-surrogate"),
        pytest.param('"name": "\\udfff Sale"', "/name", id="lone-low-surrogate"),
        pytest.param('"name": "Sale \\u0000 night"', "/name", id="nul-in-free-text"),
        pytest.param('"name": "Sale", "\\ud800": 1', "", id="surrogate-property-name"),
    ],
)
def test_text_no_database_can_store_is_422_before_it_reaches_one(
    client: httpx.Client, escaped: str, where: str
) -> None:
    before = _coupon_count(client)
    text = json.dumps(_coupon_body(name="PLACEHOLDER")).replace('"name": "PLACEHOLDER"', escaped)

    response = _post_raw(client, "/v1/coupons", text)

    problem = _refused(response, 422)
    assert _pointers(problem) == {("BODY", where)}
    assert "stored" in problem["errors"][0]["message"] or "Unicode" in problem["errors"][0]["message"]
    assert _coupon_count(client) == before


def test_a_nul_in_a_redemption_is_422_and_redeems_nothing(client: httpx.Client, coupon: dict[str, Any]) -> None:
    text = json.dumps(_order()).replace('"userId": "usr_42"', '"userId": "usr\\u0000_42"')

    response = _post_raw(
        client, f"/v1/coupons/{coupon['id']}/redemptions", text, **{"Idempotency-Key": str(uuid.uuid4())}
    )

    assert _pointers(_refused(response, 422)) == {("BODY", "/userId")}
    assert _redemptions(client, coupon["id"]) == []


@pytest.mark.parametrize(
    ("literal", "status"),
    [
        pytest.param(str(2**31), 422, id="past-int32"),
        pytest.param(str(2**63), 422, id="past-int64"),
        pytest.param("1" + "0" * 400, 422, id="400-digits"),
        pytest.param("9" * 5000, 400, id="5000-digits"),
        pytest.param("1e400", 422, id="past-double"),
        pytest.param("-1e400", 422, id="past-double-negative"),
        pytest.param("1.5", 422, id="not-whole"),
    ],
)
def test_a_huge_number_is_refused_and_stores_nothing(client: httpx.Client, literal: str, status: int) -> None:
    before = _coupon_count(client)
    text = json.dumps(_coupon_body(totalLimit=7)).replace('"totalLimit": 7', f'"totalLimit": {literal}')

    response = _post_raw(client, "/v1/coupons", text)

    problem = _refused(response, status)
    if status == 422:
        assert _pointers(problem) == {("BODY", "/totalLimit")}
    assert _coupon_count(client) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param(b"[" * 30_000 + b"]" * 30_000, 400, id="arrays-30k-deep"),
        pytest.param(b'{"a":' * 5_000 + b"1" + b"}" * 5_000, 400, id="objects-5k-deep"),
        pytest.param(b'{"a":' * 500 + b"1" + b"}" * 500, 422, id="objects-500-deep"),
    ],
)
def test_a_deeply_nested_body_is_refused(client: httpx.Client, body: bytes, status: int) -> None:
    before = _coupon_count(client)

    response = client.post("/v1/coupons", content=body, headers={"Content-Type": "application/json"})

    _refused(response, status)
    assert _coupon_count(client) == before


@pytest.mark.parametrize("streamed", [False, True], ids=["declared-length", "streamed"])
def test_an_oversized_body_is_413_whether_declared_or_streamed(client: httpx.Client, streamed: bool) -> None:
    before = _coupon_count(client)
    body = json.dumps(_coupon_body(name="x" * 100)).encode() + b" " * (1 << 20)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1 << 16):
            yield body[start : start + (1 << 16)]

    content: Any = chunks() if streamed else body
    response = client.post("/v1/coupons", content=content, headers={"Content-Type": "application/json"})

    assert _refused(response, 413)["code"] == "CONTENT_TOO_LARGE"
    assert _coupon_count(client) == before


@pytest.mark.parametrize(
    "limit",
    [
        pytest.param("5\n", id="trailing-newline"),
        pytest.param(" 5", id="leading-space"),
        pytest.param("\u0661\u0662", id="arabic-indic-digits"),
        pytest.param("\uff15", id="fullwidth-digit"),
        pytest.param("+5", id="plus-sign"),
        pytest.param("5_0", id="underscore"),
    ],
)
def test_a_number_parameter_is_a_whole_string_of_ascii_digits(client: httpx.Client, limit: str) -> None:
    response = client.get("/v1/coupons", params={"limit": limit})

    assert _pointers(_refused(response, 422)) == {("QUERY", "/limit")}


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        pytest.param("code=ABC%00DEF", "/code", id="nul-in-a-patterned-parameter"),
        pytest.param("cursor=%00", "/cursor", id="nul-in-a-cursor"),
        pytest.param("code=ABC%0A", "/code", id="trailing-newline"),
    ],
)
def test_a_parameter_no_database_can_store_is_422(client: httpx.Client, query: str, pointer: str) -> None:
    response = client.get(f"/v1/coupons?{query}")

    assert _pointers(_refused(response, 422)) == {("QUERY", pointer)}


def test_unstorable_text_is_refused_before_postgresql_would_fail_on_it(postgres_database: PairDatabase) -> None:
    # PostgreSQL text cannot hold NUL: before the rule, this insert failed in the driver and answered 500.
    upgrade(COUPON, postgres_database.primary_url)
    settings = CouponSettings(database_url=postgres_database.primary_url)
    token = issue_development_token(TEST_AUTH, ["coupon:read", "coupon:write"])
    with (
        serve(create_app(settings, TEST_AUTH)) as server,
        httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client,
    ):
        refused = client.post("/v1/coupons", json=_coupon_body(name="Sale \x00 night"))
        created = client.post("/v1/coupons", json=_coupon_body(name="Sale night"))
        stored = _coupon_count(client)

    assert _pointers(_refused(refused, 422)) == {("BODY", "/name")}
    assert created.status_code == 201, created.text
    assert stored == 1
