"""Mocks of contracts served on 127.0.0.1 for the tests, and what the tests send them."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contractkit.bundle import bundle
from contractkit.loading.pointer import local_target
from contractkit.mock import AnyWellFormedToken, create_mock_app
from contractkit.mock.values import ValueMaker
from contractkit.operations import Operation, OperationIndex
from contractkit.server.auth import BearerVerifier
from tests.fixtures.live_server import LiveServer, serve

ROOT = Path(__file__).resolve().parents[3]
COUPON = ROOT / "contracts" / "coupon" / "openapi.yaml"
WIDGETS = ROOT / "tests" / "contractkit" / "fixtures" / "mock" / "widgets.yaml"
# Any well-formed bearer token passes the mock unless it is given a verifier.
AUTH = {"Authorization": "Bearer any-token-will-do"}


@contextmanager
def mocked(contract: Path, verifier: BearerVerifier | None = None, *, remember: bool = True) -> Iterator[LiveServer]:
    """Serve the mock of `contract` until the block ends (any well-formed token, unless given a verifier)."""
    document = bundle(contract)
    verifier = verifier or AnyWellFormedToken(frozenset(OperationIndex(document).scopes))
    with serve(create_mock_app(document, verifier, remember=remember)) as server:
        yield server


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped token with these claims and a signature no one made."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def _value(document: dict[str, Any], node: dict[str, Any]) -> Any:
    """The first example of a parameter or media type object, else a value built from its schema."""
    examples = node.get("examples")
    if isinstance(examples, dict) and examples:
        first, _ = local_target(document, next(iter(examples.values())))
        return first["value"]
    if "example" in node:
        return node["example"]
    return ValueMaker(document).value(node.get("schema", {}))


def valid_request(document: dict[str, Any], operation: Operation) -> dict[str, Any]:
    """A request the operation accepts (httpx.request's arguments, the URL a path), made of the contract's examples."""
    path_item = document["paths"][operation.path]
    raw = path_item[operation.method.lower()]
    path, headers = operation.path, dict(AUTH)
    for node in [*path_item.get("parameters", []), *raw.get("parameters", [])]:
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
