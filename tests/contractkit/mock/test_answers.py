"""What the mock answers an admitted request: the contract's examples, chosen by `Prefer`, always valid.

Validity is judged by Schemathesis's own response validation, not by the mock's code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis

from contractkit.bundle import bundle
from contractkit.loading.pointer import local_target
from contractkit.operations import Operation, OperationIndex
from tests.contractkit.mock.mocks import COUPON, WIDGETS, mocked
from tests.fixtures.live_server import LiveServer

AUTH = {"Authorization": "Bearer any-token-will-do"}
COUPON_ID = "cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K"


@pytest.fixture(scope="module")
def stateless() -> Iterator[LiveServer]:
    with mocked(COUPON, remember=False) as server:
        yield server


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return bundle(COUPON)


def _example(document: dict[str, Any], name: str) -> Any:
    return document["components"]["examples"][name]["value"]


def test_a_read_answers_the_first_example_with_its_headers(stateless: LiveServer, document: dict[str, Any]) -> None:
    response = httpx.get(f"{stateless.url}/v1/coupons/{COUPON_ID}", headers=AUTH)
    assert response.status_code == 200
    assert response.json() == _example(document, "Coupon")
    assert response.headers["ETag"] == '"1"'
    assert "Preference-Applied" not in response.headers


def test_prefer_example_picks_a_named_example(stateless: LiveServer) -> None:
    order = {"userId": "usr_42", "orderAmount": {"amount": 1500, "currency": "EUR"}}
    response = httpx.post(
        f"{stateless.url}/v1/coupons/{COUPON_ID}/quotes",
        json=order,
        headers={**AUTH, "Prefer": "example=belowMinimum"},
    )
    assert response.status_code == 200
    assert response.json()["reason"] == "ORDER_BELOW_MINIMUM"
    assert response.headers["Preference-Applied"] == "example=belowMinimum"


def test_prefer_code_picks_a_documented_problem_for_this_path(stateless: LiveServer) -> None:
    path = f"/v1/coupons/{COUPON_ID}/redemptions"
    order = {"userId": "usr_42", "orderId": "ord_9", "orderAmount": {"amount": 4990, "currency": "EUR"}}
    response = httpx.post(
        f"{stateless.url}{path}", json=order, headers={**AUTH, "Idempotency-Key": "k1", "Prefer": "code=409"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "COUPON_EXHAUSTED"
    assert response.json()["instance"] == path
    assert response.headers["Preference-Applied"] == "code=409"


def test_a_preference_the_contract_cannot_meet_is_ignored(stateless: LiveServer) -> None:
    for prefer in ("code=418", "example=noSuchExample", "code=404, example=belowMinimum"):
        response = httpx.get(f"{stateless.url}/v1/coupons/{COUPON_ID}", headers={**AUTH, "Prefer": prefer})
        assert response.status_code == 200, prefer
        assert "Preference-Applied" not in response.headers


def _value(document: dict[str, Any], node: Any) -> Any:
    """The first example of a parameter or media type object."""
    node, _ = local_target(document, node)
    examples = node.get("examples")
    if isinstance(examples, dict):
        first, _ = local_target(document, next(iter(examples.values())))
        return first["value"]
    return node["example"]


def valid_request(document: dict[str, Any], operation: Operation) -> dict[str, Any]:
    """A request the operation accepts, made of the contract's own examples."""
    raw = document["paths"][operation.path][operation.method.lower()]
    path, headers = operation.path, dict(AUTH)
    for node in [*document["paths"][operation.path].get("parameters", []), *raw.get("parameters", [])]:
        param, _ = local_target(document, node)
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(_value(document, param)))
        elif param["in"] == "header" and param.get("required"):
            headers[param["name"]] = str(_value(document, param))
    request: dict[str, Any] = {"method": operation.method, "url": path, "headers": headers}
    if "requestBody" in raw:
        body, _ = local_target(document, raw["requestBody"])
        request["json"] = _value(document, body["content"]["application/json"])
    return request


def _every_answer(contract: Any) -> list[tuple[str, str]]:
    document = bundle(contract)
    return [
        (op.operation_id, status)
        for op in OperationIndex(document).operations.values()
        for status in sorted(op.statuses)
        if status.isdigit()
    ]


@pytest.mark.parametrize(("operation_id", "status"), _every_answer(COUPON))
def test_every_documented_answer_of_the_coupon_contract_is_valid(
    operation_id: str, status: str, stateless: LiveServer, document: dict[str, Any]
) -> None:
    operation = OperationIndex(document).operations[operation_id]
    request = valid_request(document, operation)
    request["headers"]["Prefer"] = f"code={status}"
    response = httpx.request(**{**request, "url": stateless.url + request["url"]})
    assert response.status_code == int(status), response.text
    schema = schemathesis.openapi.from_dict(document)
    schema[operation.path][operation.method].validate_response(response)


def test_without_examples_every_answer_is_built_from_the_schema() -> None:
    document = bundle(WIDGETS)
    schema = schemathesis.openapi.from_dict(document)
    with mocked(WIDGETS, remember=False) as server:
        requests = [
            ("POST", "/v1/widgets", {"name": "w", "colour": "RED"}, "201"),
            ("POST", "/v1/widgets", {"name": "w", "colour": "RED"}, "422"),
            ("GET", "/v1/widgets", None, "200"),
            ("GET", "/v1/widgets/wid_abcdefgh", None, "200"),
            ("GET", "/v1/widgets/wid_abcdefgh", None, "404"),
            ("DELETE", "/v1/widgets/wid_abcdefgh", None, "204"),
        ]
        for method, path, body, status in requests:
            headers = {**AUTH, "Prefer": f"code={status}"}
            response = httpx.request(method, server.url + path, json=body, headers=headers)
            assert response.status_code == int(status), response.text
            template = path if "{" in path or path == "/v1/widgets" else "/v1/widgets/{widgetId}"
            schema[template][method].validate_response(response)
        widget = httpx.get(f"{server.url}/v1/widgets/wid_abcdefgh", headers=AUTH).json()
    assert len(widget["tags"]) == 2
    assert widget["owner"] is None
