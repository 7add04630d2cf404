"""Read-your-writes across calls: the `Consistency-Token` of a write, carried per call or per context.

A write answers with a `Consistency-Token`; a read that sends it back is served by a replica only once
the replica has replayed that write (otherwise by the primary). The token is never state of a client:
a client is shared by concurrent requests, and one request must not read with another's token.

- Per call: a read method takes `consistency_token=`.
- Per context: inside `with read_your_writes() as session:` every write's token is kept in `session`
  and every read sends the latest one. Each request (each asyncio task) opens its own session, so
  concurrent callers sharing a client never see each other's tokens. Tasks started inside a session
  share it; their tokens arrive in any order, and the session keeps the last one received.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CONSISTENCY_HEADER = "Consistency-Token"


class ConsistencySession:
    """The consistency token of the latest write made in one context."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token

    def observe(self, token: str) -> None:
        """A write in this session answered `token`."""
        self.token = token


_SESSION: ContextVar[ConsistencySession | None] = ContextVar("dataservices_client_consistency", default=None)


def current_session() -> ConsistencySession | None:
    """The session of this context, if one is open."""
    return _SESSION.get()


@contextmanager
def read_your_writes(token: str | None = None) -> Iterator[ConsistencySession]:
    """Reads in this block see the writes made in it (and the write of `token`, e.g. one another process made).

    Without `token`, a block inside an open session continues that session.
    """
    outer = _SESSION.get()
    if outer is not None and token is None:
        yield outer
        return
    session = ConsistencySession(token)
    bound = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(bound)
