"""Mocks of contracts served on 127.0.0.1 for the tests, and what the tests send them."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contractkit.bundle import bundle
from contractkit.mock import AnyWellFormedToken, create_mock_app
from contractkit.operations import OperationIndex
from contractkit.server.auth import BearerVerifier
from tests.fixtures.live_server import LiveServer, serve

ROOT = Path(__file__).resolve().parents[3]
COUPON = ROOT / "contracts" / "coupon" / "openapi.yaml"
WIDGETS = ROOT / "tests" / "contractkit" / "fixtures" / "mock" / "widgets.yaml"


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
