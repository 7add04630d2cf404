"""What the client tests put between a client and a server: a transport that records, servers that misbehave.

The misbehaving servers are real sockets on 127.0.0.1, so the client's own transport meets each fault as
it would in production: a port nobody listens on, a server that reads a request and never answers, one
that reads it and hangs up.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field

import httpx


class RecordingTransport(httpx.AsyncHTTPTransport):
    """A real HTTP transport that keeps every request it sends, to check what a client put on the wire."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.requests: list[httpx.Request] = []
        # The headers as each request left: a resent request is the same object with changed headers.
        self.headers: list[httpx.Headers] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.headers.append(httpx.Headers(request.headers))
        return await super().handle_async_request(request)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed: connecting is refused)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class RawServer:
    """A TCP server on 127.0.0.1 that reads each request's head and then does what it is told."""

    url: str
    received: list[bytes] = field(default_factory=list)


@contextmanager
def raw_server(behaviour: str) -> Iterator[RawServer]:
    """What the server does with each request it reads.

    `silent`: never answer; `hang-up`: close the connection; `silent-then-gone`: never answer the first
    request, and stop listening, so every later connection is refused.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    server = RawServer(url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                head += chunk
            server.received.append(head)
            if behaviour == "hang-up":
                connection.close()
            else:
                held.append(connection)  # kept open and silent until the server stops
            if behaviour == "silent-then-gone":
                listener.close()
                return

    thread = threading.Thread(target=serve, name="raw-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        listener.close()
