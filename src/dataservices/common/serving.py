"""How every data service is served: uvicorn with its compiled parts, and the timeouts clients rely on."""

from __future__ import annotations

import gc
import socket
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
        # No `server: uvicorn` header: the contract documents every header an answer carries, and the
        # software behind a service is nobody's business. `date` stays (RFC 9110 asks for it).
        "server_header": False,
        "log_level": "warning",
    }


# Allocations between two collections of the youngest generation (Python's default is 700). A
# request allocates a few thousand objects, almost all freed by reference counting; collecting every
# 700 allocations only walks live ones again and again.
GC_YOUNG_THRESHOLD = 20_000


def settle_garbage_collector() -> None:
    """Tune the cyclic garbage collector for a long-running server; call once the app is built.

    Start-up makes hundreds of thousands of objects that live as long as the process (FastAPI's
    routes, SQLAlchemy's tables and compiled statements, the contract and its validators). A full
    collection walks all of them: it was the tail of the latency under load (at 64 connections, p99
    was twice the median; with this, 1.2 times). `gc.freeze` moves them out of the collector's sight,
    and a higher young threshold makes collections rarer; cycles are still collected.
    """
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
