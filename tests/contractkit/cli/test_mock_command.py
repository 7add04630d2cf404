"""`contractkit mock` as a consumer starts it: a process serving the contract on a port, and its usage errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import jwt
import pytest
from typer.testing import CliRunner

from contractkit.bundle import bundle
from contractkit.cli import ExitCode, app
from dataservices.common.serving import free_port

ROOT = Path(__file__).resolve().parents[3]
COUPON = ROOT / "contracts" / "coupon" / "openapi.yaml"
CONTRACTKIT = Path(sys.executable).parent / "contractkit"
COUPON_ID = "cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K"
# Start-up takes about a second; polls are 50 ms apart, so this is far more than ever needed.
STARTUP_POLLS = 400


@contextmanager
def mock_process(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `contractkit mock` until the block ends; yields its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(CONTRACTKIT), "mock", *args, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(STARTUP_POLLS):
            if process.poll() is not None:
                raise AssertionError(f"contractkit mock stopped: {process.communicate()[0]}")
            try:
                httpx.get(f"{url}/v1/coupons", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    # SIGTERM is how a consumer's script stops it: uvicorn shuts down cleanly, then ends by that signal.
    assert process.returncode == -signal.SIGTERM, output
    assert "Application shutdown complete" in output
    assert "15 operations at" in output, output


def test_serves_the_examples_and_refuses_what_the_services_refuse() -> None:
    document = bundle(COUPON)
    with mock_process(str(COUPON)) as url:
        found = httpx.get(f"{url}/v1/coupons/{COUPON_ID}", headers={"Authorization": "Bearer any"})
        missing = httpx.get(f"{url}/v1/coupons/{COUPON_ID}")
    assert found.status_code == 200
    assert found.json() == document["components"]["examples"]["Coupon"]["value"]
    assert "server" not in found.headers  # as the services: only what the contract documents, plus Date
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.json()["code"] == "UNAUTHENTICATED"


def test_with_a_secret_only_tokens_signed_with_it_pass() -> None:
    secret = "a-secret-of-at-least-thirty-two-bytes"
    claims = {"sub": "backoffice", "iss": "issuer", "aud": "dataservices", "exp": int(time.time()) + 600}
    env = {"CONTRACTKIT_JWT_SECRET": secret}
    with mock_process(str(COUPON), "--jwt-issuer", "issuer", "--jwt-audience", "dataservices", env=env) as url:
        signed = jwt.encode({**claims, "scope": "coupon:read"}, secret)
        forged = jwt.encode({**claims, "scope": "coupon:read"}, "another-secret-of-thirty-two-bytes!")
        answers = {
            name: httpx.get(f"{url}/v1/coupons/{COUPON_ID}", headers={"Authorization": f"Bearer {token}"})
            for name, token in (("signed", signed), ("forged", forged))
        }
        scoped = httpx.post(
            f"{url}/v1/coupons", headers={"Authorization": f"Bearer {signed}"}, json={"code": "X"}
        )  # coupon:write is missing
    assert answers["signed"].status_code == 200
    assert answers["forged"].status_code == 401
    assert scoped.status_code == 403


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-contract.yaml"], "no-such-contract.yaml"),
        ([str(COUPON), "--jwt-secret", "s"], "--jwt-secret needs --jwt-issuer and --jwt-audience"),
        ([str(COUPON), "--port", "70000"], "Invalid value for '--port'"),
    ],
)
def test_usage_errors_exit_2_without_serving(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["mock", *args], env={"COLUMNS": "300"})
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
