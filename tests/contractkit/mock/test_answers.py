"""What the mock answers an admitted request: the contract's examples, chosen by `Prefer`, always valid.

Validity is judged by Schemathesis's own response validation, not by the mock's code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis

from contractkit.bundle import bundle
from contractkit.discovery import find_contracts
from contractkit.mock.answers import Answers
from contractkit.mock.values import ValueMaker
from contractkit.operations import OperationIndex
from tests.contractkit.mock.mocks import AUTH, COUPON, ROOT, WIDGETS, mocked, valid_request
from tests.fixtures.live_server import LiveServer

# Every contract of the repository: a contract added under contracts/ is covered without a change here.
CONTRACTS = find_contracts([ROOT / "contracts"])
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


def _every_answer(contract: Path) -> list[Any]:
    """(contract, operationId, status, example name or None) for every documented answer of a contract."""
    document = bundle(contract)
    answers = Answers(document, ValueMaker(document))
    cases = []
    for operation in OperationIndex(document).operations.values():
        for status in answers.statuses(operation):
            names = answers.example_names(operation, status) or [None]
            for name in names:
                label = f"{contract.parent.name}-{operation.operation_id}-{status}" + (f"-{name}" if name else "")
                cases.append(pytest.param(contract, operation.operation_id, status, name, id=label))
    return cases


@pytest.fixture(scope="module")
def mocks() -> Iterator[Callable[[Path], LiveServer]]:
    """A stateless mock of each contract, started when a test first needs it."""
    with ExitStack() as stack:
        started: dict[Path, LiveServer] = {}

        def mock_of(contract: Path) -> LiveServer:
            if contract not in started:
                started[contract] = stack.enter_context(mocked(contract, remember=False))
            return started[contract]

        yield mock_of


@pytest.mark.parametrize(
    ("contract", "operation_id", "status", "example"),
    [case for contract in [*CONTRACTS, WIDGETS] for case in _every_answer(contract)],
)
def test_every_documented_answer_of_every_contract_is_valid(
    contract: Path, operation_id: str, status: str, example: str | None, mocks: Callable[[Path], LiveServer]
) -> None:
    """Each status and each named example of every operation, asked for with Prefer, is valid by the contract."""
    document = bundle(contract)
    operation = OperationIndex(document).operations[operation_id]
    request = valid_request(document, operation)
    request["headers"]["Prefer"] = f"code={status}" + (f", example={example}" if example else "")
    response = httpx.request(**{**request, "url": mocks(contract).url + request["url"]}, timeout=30)
    assert response.status_code == int(status), response.text
    if example is not None:
        assert response.headers["Preference-Applied"] == f"code={status}, example={example}"
    schema = schemathesis.openapi.from_dict(document)
    schema[operation.path][operation.method].validate_response(response)


def test_the_contracts_are_found() -> None:
    assert "coupon" in {path.parent.name for path in CONTRACTS}


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
