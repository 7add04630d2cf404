"""Settings of the data services, read once from the environment.

Only this module reads the environment. `AuthSettings` is shared by every service and by the token
command, so a development token is accepted by any service started with the same environment.
Each service subclasses `ServiceSettings` with its own `DATASERVICES_<SERVICE>_` prefix.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contractkit.server.problem_details import CATALOGUE_BASE_URI

# A fixed secret makes `make run` work with no setup; a service started with it logs a warning.
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"


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

    def sqlite_default(self, service: str) -> str:
        """The embedded default: one SQLite file per service under ./var/."""
        return f"sqlite:///var/{service}.db"
