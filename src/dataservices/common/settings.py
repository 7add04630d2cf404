"""Settings of the data services, read once from the environment.

Only this module reads the environment. `AuthSettings` is shared by every service and by the token
command, so a development token is accepted by any service started with the same environment.
Each service subclasses `ServiceSettings` with its own `DATASERVICES_<SERVICE>_` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contractkit.server.problem_details import CATALOGUE_BASE_URI

# A fixed secret makes `make run` work with no setup; a service started with it logs a warning.
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"


@dataclass(frozen=True, slots=True)
class DatabaseLimits:
    """How long a PostgreSQL server may take, how many connections a process opens, how stale a replica may be.

    Each is a `ServiceSettings` field (`DATASERVICES_<SERVICE>_DATABASE_*`, `..._REPLICA_MAX_LAG_SECONDS`);
    docs/operations.md gives the reasons at length.
    """

    # A server that has not accepted a connection within this is down for this request: a stopped one refuses in
    # about a millisecond, so this bounds only a server that drops packets or hangs. libpq's minimum is 2.
    connect_timeout_seconds: int = 2
    # No statement of ours runs longer than milliseconds; one that does waits on a lock or a sick server, and the
    # caller is better served by a 503 than by waiting on. Enforced by the server (`statement_timeout`).
    statement_timeout_ms: int = 5000
    # Database threads, and connections per server, per process: ten keep two cores busy while statements wait on
    # the network, and stay far below PostgreSQL's default 100 connections with a few processes per server.
    pool_size: int = 10
    # A replica that has not replayed what the primary had flushed this long ago stops serving reads until it
    # catches up: reads without a consistency token may be this stale, plus one check interval.
    replica_max_lag_seconds: float = 2.0


_LIMITS = DatabaseLimits()


class AuthSettings(BaseSettings):
    """How bearer JWTs are checked (`DATASERVICES_AUTH_*`)."""

    model_config = SettingsConfigDict(env_prefix="DATASERVICES_AUTH_", extra="ignore")

    # HS256 with a shared secret is for development; production sets jwks_url or public_key (RS256).
    hs256_secret: str = DEVELOPMENT_SECRET
    public_key: str | None = Field(default=None, description="PEM public key for RS256 tokens.")
    jwks_url: str | None = Field(default=None, description="JWKS endpoint of the identity provider.")
    issuer: str = "dataservices-development"
    audience: str = "dataservices"
    # Clock skew tolerated between the identity provider and the service.
    leeway_seconds: int = 30


class ServiceSettings(BaseSettings):
    """What every data service can be told; subclasses set the env prefix and defaults."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = ""
    replica_database_url: str | None = None
    database_connect_timeout_seconds: int = Field(default=_LIMITS.connect_timeout_seconds, ge=2)
    database_statement_timeout_ms: int = Field(default=_LIMITS.statement_timeout_ms, ge=1)
    database_pool_size: int = Field(default=_LIMITS.pool_size, ge=1)
    replica_max_lag_seconds: float = Field(default=_LIMITS.replica_max_lag_seconds, gt=0)
    host: str = "127.0.0.1"
    port: int = 8080
    # 64 KiB is far above any request body of our contracts and small enough to refuse abuse early.
    max_body_bytes: int = 65536
    # Where the error catalogue lives; problem `type` URIs are this base plus the problem's slug.
    problem_base_uri: str = CATALOGUE_BASE_URI
    # The brief keeps idempotency keys for 24 hours.
    idempotency_ttl_seconds: int = 86400
    # A key still IN_FLIGHT after this long belongs to a request that died; its work never committed.
    # Longer than any live request can take (60 s writer-pool wait + 30 s SQLite busy timeout), and
    # a request that is overtaken anyway cannot commit (its answer is stored only while it holds the key).
    idempotency_lock_seconds: int = 300
    log_level: str = "info"
    contracts_dir: Path | None = None

    def database_limits(self) -> DatabaseLimits:
        return DatabaseLimits(
            connect_timeout_seconds=self.database_connect_timeout_seconds,
            statement_timeout_ms=self.database_statement_timeout_ms,
            pool_size=self.database_pool_size,
            replica_max_lag_seconds=self.replica_max_lag_seconds,
        )

    def sqlite_default(self, service: str) -> str:
        """The embedded default: one SQLite file per service under ./var/."""
        return f"sqlite:///var/{service}.db"
