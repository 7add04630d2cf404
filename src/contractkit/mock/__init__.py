"""A mock server of a contract: the services' request checks in front of the contract's examples.

`create_mock_app` builds the ASGI app; `serve_mock` runs it under uvicorn (what `contractkit mock` does).
"""

from __future__ import annotations

from typing import Any

from contractkit.mock.app import MAX_BODY_BYTES, create_mock_app
from contractkit.mock.auth import AnyWellFormedToken, MockTokenSettings
from contractkit.mock.prefer import Preference, parse_prefer

__all__ = [
    "MAX_BODY_BYTES",
    "AnyWellFormedToken",
    "MockTokenSettings",
    "Preference",
    "create_mock_app",
    "parse_prefer",
    "serve_mock",
]


def serve_mock(app: Any, host: str, port: int) -> None:
    """Serve the mock until the process is interrupted."""
    import uvicorn

    # No `Server` header: like the services, the mock answers only what the contract documents, plus `Date`.
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
