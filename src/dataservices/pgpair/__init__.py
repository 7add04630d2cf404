"""A throw-away PostgreSQL 15 primary with one streaming replica, for tests, local runs and benchmarks."""

from dataservices.pgpair.binaries import PostgresBinaries, find_binaries
from dataservices.pgpair.errors import PostgresError, PostgresNotInstalled
from dataservices.pgpair.pair import PairDatabase, PairStatus, PostgresPair
from dataservices.pgpair.server import PostgresServer

__all__ = [
    "PairDatabase",
    "PairStatus",
    "PostgresBinaries",
    "PostgresError",
    "PostgresNotInstalled",
    "PostgresPair",
    "PostgresServer",
    "find_binaries",
]
