"""How every data service is served: uvicorn with its compiled parts, and the timeouts clients rely on."""

from __future__ import annotations

from typing import Any

# Idle keep-alive connections stay open this long. It must exceed the idle timeout of the clients'
# connection pools, so that the client always closes an idle connection first: when both give up at
# the same moment (uvicorn's and httpx's defaults are both 5 s), the client sends on a connection the
# server is closing and sees a reset. 120 s is above httpx (5 s), aiohttp (15 s), Go's net/http
# (90 s) and a gateway's usual 60 s; clients with longer pools (OkHttp 300 s) should lower theirs.
KEEP_ALIVE_SECONDS = 120


def server_options() -> dict[str, Any]:
    """uvicorn's options for a data service (besides the app, host, port and workers)."""
    return {
        # The C event loop and HTTP parser: the pure-Python h11 parser and asyncio's loop cost a
        # large share of a small request's time.
        "loop": "uvloop",
        "http": "httptools",
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # Each request is logged once, as JSON, by the service itself (`RequestLogging`).
        "access_log": False,
        "log_level": "warning",
    }
