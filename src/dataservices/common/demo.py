"""What `make run` prints once the demo is up: where each service listens, a token, curl lines that work."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any

from dataservices.common.auth import issue_development_token
from dataservices.common.service_spec import DemoRequest, ServiceSpec
from dataservices.common.settings import AuthSettings

# Long enough for a working day with the demo, short enough that a pasted token does not outlive it.
DEMO_TOKEN_SECONDS = 8 * 3600


def curl_line(base_url: str, request: DemoRequest) -> str:
    """One request as a curl command to paste into a shell where `TOKEN` is exported."""
    parts = ["curl -s", '-H "Authorization: Bearer $TOKEN"']
    if request.method != "GET":
        parts.insert(1, f"-X {request.method}")
    if request.idempotency_key is not None:
        parts.append(f"-H {shlex.quote('Idempotency-Key: ' + request.idempotency_key)}")
    if request.body is not None:
        parts.append("-H 'Content-Type: application/json'")
        parts.append(f"-d {shlex.quote(json.dumps(request.body, separators=(',', ':')))}")
    parts.append(f'"{base_url}{request.path}"')
    return " ".join(parts)


def usage_banner(served: Sequence[tuple[ServiceSpec[Any], str]], auth: AuthSettings) -> str:
    """How to call the running demo: each service's URL and contract, one token for all, requests to try."""
    scopes = [scope for spec, _ in served for scope in spec.scopes]
    token = issue_development_token(auth, scopes, ttl_seconds=DEMO_TOKEN_SECONDS)
    width = max(len(spec.title) for spec, _ in served)
    lines = [""]
    lines += [f"{spec.title:<{width}}  {base}  (contract: {base}/openapi.yaml)" for spec, base in served]
    lines += [
        "",
        f"Development token ({' '.join(scopes)}, valid {DEMO_TOKEN_SECONDS // 3600} hours):",
        f"  export TOKEN={token}",
        "",
        "Try it:",
    ]
    for spec, base in served:
        requests = spec.demo.requests if spec.demo is not None else ()
        lines += [f"  {curl_line(base, request)}" for request in requests]
    lines += ["", "Stop with Ctrl+C.", ""]
    return "\n".join(lines)
