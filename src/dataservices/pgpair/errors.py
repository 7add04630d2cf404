"""The errors of the throw-away PostgreSQL pair: one base class, and one for a machine without PostgreSQL."""

from __future__ import annotations


class PostgresError(RuntimeError):
    """A PostgreSQL program failed or a server did not reach the state asked for; the message says why."""


class PostgresNotInstalled(PostgresError):
    """The PostgreSQL server programs are not on this machine; the message says how to install them."""
