"""HTTP pieces every service uses: JSON answers and stored answers.

The request body limit is contractkit's `BodySizeLimit` (`contractkit.server.responses`), shared with the mock.
ETags and `If-Match` are in `dataservices.common.versioning`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from dataservices.common.encoding import dump_json
from dataservices.common.idempotency import REPLAY_HEADER, StoredResponse


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(content=dump_json(body), status_code=status, media_type="application/json", headers=headers)


def stored_to_response(stored: StoredResponse, extra_headers: dict[str, str] | None = None) -> Response:
    """Send a stored (or freshly made) answer, marking replays."""
    headers = dict(stored.headers)
    headers.update(extra_headers or {})
    if stored.replayed:
        headers[REPLAY_HEADER] = "true"
    return Response(content=stored.body, status_code=stored.status, media_type=stored.media_type, headers=headers)
