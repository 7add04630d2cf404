"""HTTP pieces every service uses: JSON answers, stored answers and ETags.

The request body limit is contractkit's `BodySizeLimit` (`contractkit.server.responses`), shared with the mock.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from dataservices.common.encoding import dump_json
from dataservices.common.idempotency import REPLAY_HEADER, StoredResponse
from dataservices.common.problems import PreconditionFailed


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(content=dump_json(body), status_code=status, media_type="application/json", headers=headers)


def stored_to_response(stored: StoredResponse, extra_headers: dict[str, str] | None = None) -> Response:
    """Send a stored (or freshly made) answer, marking replays."""
    headers = dict(stored.headers)
    headers.update(extra_headers or {})
    if stored.replayed:
        headers[REPLAY_HEADER] = "true"
    return Response(content=stored.body, status_code=stored.status, media_type=stored.media_type, headers=headers)


def etag(version: int) -> str:
    """A strong ETag for a version number."""
    return f'"{version}"'


def check_if_match(if_match: str, version: int, what: str) -> None:
    """Refuse with 412 unless `If-Match` names the current version."""
    if if_match.strip() != etag(version):
        raise PreconditionFailed(f"The {what} is at version {etag(version)}, not {if_match.strip()}.")
