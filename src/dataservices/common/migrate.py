"""Apply a service's Alembic migrations to its database (on `migrate` and before `serve`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from dataservices.common.db import ensure_sqlite_directory


def alembic_config(service: str, database_url: str) -> Config:
    """The Alembic configuration of a service: its `migrations/` package and its database."""
    config = Config()
    config.set_main_option("script_location", f"dataservices.{service}:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default)."""
    ensure_sqlite_directory(database_url)
    command.upgrade(alembic_config(service, database_url), revision)
