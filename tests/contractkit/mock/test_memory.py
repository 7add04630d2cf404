"""What the mock remembers: a get after a create returns what was made, and changes, lists and deletes see it.

Every answer is also held to the contract by Schemathesis's response validation, so remembering can
never make the mock answer what the contract does not allow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis

from contractkit.bundle import bundle
from tests.contractkit.mock.mocks import AUTH, COUPON, WIDGETS, mocked
from tests.fixtures.live_server import LiveServer

NEW_COUPON = {
    "code": "SPRING27",
    "name": "Spring",
    "currency": "EUR",
    "discount": {"type": "PERCENTAGE", "percent": 15},
    "startsAt": "2027-01-01T00:00:00Z",
    "expiresAt": "2027-02-01T00:00:00Z",
    "perUserLimit": 3,
}
ORDER = {"userId": "usr_7", "orderId": "ord_7", "orderAmount": {"amount": 4990, "currency": "EUR"}}


class Checked:
    """An HTTP client for one mock whose every answer is validated against the contract."""

    def __init__(self, server: LiveServer, document: dict[str, Any]) -> None:
        self.url = server.url
        self.schema = schemathesis.openapi.from_dict(document)
        self.templates = list(document["paths"])

    def send(self, method: str, path: str, template: str, **kwargs: Any) -> httpx.Response:
        headers = {**AUTH, **kwargs.pop("headers", {})}
        response = httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)
        assert template in self.templates
        self.schema[template][method].validate_response(response)
        return response


@pytest.fixture
def coupons() -> Iterator[Checked]:
    with mocked(COUPON) as server:
        yield Checked(server, bundle(COUPON))


@pytest.fixture
def widgets() -> Iterator[Checked]:
    with mocked(WIDGETS) as server:
        yield Checked(server, bundle(WIDGETS))


def _create_coupon(api: Checked, **changes: Any) -> httpx.Response:
    created = api.send("POST", "/v1/coupons", "/v1/coupons", json={**NEW_COUPON, **changes})
    assert created.status_code == 201, created.text
    return created


def test_a_get_after_a_create_returns_what_was_made(coupons: Checked) -> None:
    created = _create_coupon(coupons)
    coupon = created.json()
    assert {name: coupon[name] for name in NEW_COUPON} == NEW_COUPON
    assert coupon["id"].startswith("cpn_")
    assert created.headers["Location"] == f"/v1/coupons/{coupon['id']}"

    fetched = coupons.send("GET", created.headers["Location"], "/v1/coupons/{couponId}")
    assert fetched.status_code == 200
    assert fetched.json() == coupon


def test_what_the_client_left_out_is_not_filled_from_the_example(coupons: Checked) -> None:
    coupon = _create_coupon(coupons).json()
    # The contract's example coupon has a minimum order and a total limit; this one was made without.
    assert coupon["minimumOrderAmount"] is None
    assert coupon["totalLimit"] is None


def test_each_create_makes_a_new_resource_and_lists_show_them_newest_first(coupons: Checked) -> None:
    first = _create_coupon(coupons, code="FIRST1").json()
    second = _create_coupon(coupons, code="SECOND2").json()
    assert first["id"] != second["id"]

    page = coupons.send("GET", "/v1/coupons", "/v1/coupons").json()
    assert [item["id"] for item in page["items"]] == [second["id"], first["id"]]
    assert page["nextCursor"] is None
    only = coupons.send("GET", "/v1/coupons?code=FIRST1", "/v1/coupons").json()
    assert [item["id"] for item in only["items"]] == [first["id"]]
    one = coupons.send("GET", "/v1/coupons?limit=1", "/v1/coupons").json()
    assert [item["id"] for item in one["items"]] == [second["id"]]


def test_a_change_is_merged_into_what_was_made(coupons: Checked) -> None:
    coupon = _create_coupon(coupons).json()
    path = f"/v1/coupons/{coupon['id']}"
    changed = coupons.send(
        "PATCH",
        path,
        "/v1/coupons/{couponId}",
        json={"status": "PAUSED", "name": "Paused"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**coupon, "status": "PAUSED", "name": "Paused"}
    assert coupons.send("GET", path, "/v1/coupons/{couponId}").json()["status"] == "PAUSED"
    paused = coupons.send("GET", "/v1/coupons?status=PAUSED", "/v1/coupons").json()
    assert [item["id"] for item in paused["items"]] == [coupon["id"]]


def test_state_transitions_follow_the_contracts_x_state_transition(coupons: Checked) -> None:
    coupon = _create_coupon(coupons).json()
    redeemed = coupons.send(
        "POST",
        f"/v1/coupons/{coupon['id']}/redemptions",
        "/v1/coupons/{couponId}/redemptions",
        json=ORDER,
        headers={"Idempotency-Key": "order-7"},
    )
    assert redeemed.status_code == 201, redeemed.text
    redemption = redeemed.json()
    assert (redemption["couponId"], redemption["orderId"], redemption["status"]) == (coupon["id"], "ord_7", "CONFIRMED")
    base = f"/v1/redemptions/{redemption['id']}"

    cancelled = coupons.send("POST", f"{base}/cancellation", "/v1/redemptions/{redemptionId}/cancellation")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "CANCELLED")
    again = coupons.send("POST", f"{base}/cancellation", "/v1/redemptions/{redemptionId}/cancellation")
    assert (again.status_code, again.json()["status"]) == (200, "CANCELLED")  # repeatable: unchanged
    refused = coupons.send("POST", f"{base}/confirmation", "/v1/redemptions/{redemptionId}/confirmation")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert coupons.send("GET", base, "/v1/redemptions/{redemptionId}").json()["status"] == "CANCELLED"
    listed = coupons.send("GET", f"/v1/coupons/{coupon['id']}/redemptions", "/v1/coupons/{couponId}/redemptions").json()
    assert [item["id"] for item in listed["items"]] == [redemption["id"]]


def test_a_create_made_from_a_preferred_example_is_remembered(widgets: Checked) -> None:
    created = widgets.send(
        "POST", "/v1/widgets", "/v1/widgets", json={"name": "w", "colour": "BLUE"}, headers={"Prefer": "code=201"}
    )
    assert created.status_code == 201
    assert created.headers["Preference-Applied"] == "code=201"
    fetched = widgets.send("GET", created.headers["Location"], "/v1/widgets/{widgetId}")
    assert fetched.json() == created.json()


def test_a_delete_forgets_and_later_reads_get_the_documented_404(widgets: Checked) -> None:
    kept = widgets.send("POST", "/v1/widgets", "/v1/widgets", json={"name": "kept", "colour": "RED"}).json()
    gone = widgets.send("POST", "/v1/widgets", "/v1/widgets", json={"name": "gone", "colour": "BLUE"}).json()
    assert gone["size"] == 3  # the request schema's default for what the client left out
    path = f"/v1/widgets/{gone['id']}"

    assert widgets.send("DELETE", path, "/v1/widgets/{widgetId}").status_code == 204
    assert widgets.send("GET", path, "/v1/widgets/{widgetId}").status_code == 404
    assert widgets.send("DELETE", path, "/v1/widgets/{widgetId}").status_code == 404
    listed = widgets.send("GET", "/v1/widgets", "/v1/widgets").json()
    assert listed["items"] == [kept]
    blue = widgets.send("GET", "/v1/widgets?colour=BLUE", "/v1/widgets").json()
    assert blue["items"] == []


def test_without_memory_a_get_answers_the_example() -> None:
    document = bundle(COUPON)
    with mocked(COUPON, remember=False) as server:
        api = Checked(server, document)
        coupon = _create_coupon(api).json()
        fetched = api.send("GET", f"/v1/coupons/{coupon['id']}", "/v1/coupons/{couponId}").json()
    assert fetched == document["components"]["examples"]["Coupon"]["value"]
    assert fetched["code"] != NEW_COUPON["code"]


def test_a_checkout_reserves_with_the_preferred_example_then_confirms(coupons: Checked) -> None:
    coupon = _create_coupon(coupons).json()
    reserved = coupons.send(
        "POST",
        f"/v1/coupons/{coupon['id']}/redemptions",
        "/v1/coupons/{couponId}/redemptions",
        json={**ORDER, "holdSeconds": 600},
        headers={"Idempotency-Key": "checkout-7", "Prefer": "example=reserved"},
    )
    assert reserved.status_code == 201, reserved.text
    assert reserved.headers["Preference-Applied"] == "example=reserved"
    assert (reserved.json()["status"], reserved.json()["orderId"]) == ("RESERVED", "ord_7")
    base = f"/v1/redemptions/{reserved.json()['id']}"

    confirmed = coupons.send("POST", f"{base}/confirmation", "/v1/redemptions/{redemptionId}/confirmation")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "CONFIRMED")
    released = coupons.send("POST", f"{base}/release", "/v1/redemptions/{redemptionId}/release")
    assert released.status_code == 409
