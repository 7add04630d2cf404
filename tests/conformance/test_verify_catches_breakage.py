"""`contractkit verify` passes the coupon service and fails a copy of it that breaks the contract.

The broken copy is the real service behind a small ASGI wrapper that drops the required `usage`
field from every coupon it returns, the kind of slip a reimplementation in another language makes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contractkit.verify import VerifyOptions, verify
from tests.fixtures.coupon_service import RunningCouponService, running_coupon_service
from tests.fixtures.live_server import serve

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "coupon" / "openapi.yaml"


class DropUsage:
    """Remove `usage` from JSON bodies (buffered, so Content-Length stays right)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            if (dict(start["headers"]).get(b"content-type") or b"").startswith(b"application/json"):
                document = json.loads(body)
                for item in document.get("items", [document]) if isinstance(document, dict) else []:
                    if isinstance(item, dict):
                        item.pop("usage", None)
                body = json.dumps(document).encode()
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def _options(service: RunningCouponService, url: str, junit: Path) -> VerifyOptions:
    return VerifyOptions(
        base_url=url,
        token=service.token(),
        junit_xml=junit,
        max_examples=5,
        seed=7,
        phases=("examples",),
    )


def test_verify_passes_the_reference_service(coupon_service: RunningCouponService, tmp_path: Path) -> None:
    junit = tmp_path / "pass.xml"
    result = verify(CONTRACT, _options(coupon_service, coupon_service.url, junit), echo=lambda _: None)
    assert result.exit_code == 0
    assert ElementTree.parse(junit).getroot().find(".//failure") is None


def test_verify_fails_a_service_that_drops_a_required_field(tmp_path: Path) -> None:
    with running_coupon_service(tmp_path / "db") as service, serve(DropUsage(service.server.app)) as broken:
        junit = tmp_path / "fail.xml"
        result = verify(CONTRACT, _options(service, broken.url, junit), echo=lambda _: None)
    assert result.exit_code != 0
    failures = [
        failure.get("message", "") + (failure.text or "") for failure in ElementTree.parse(junit).iter("failure")
    ]
    assert any("usage" in failure for failure in failures), failures
