"""Apply a service's Alembic migrations to its database (on `migrate` and before `serve`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from dataservices.common.db import driver_url, ensure_sqlite_directory, is_sqlite


def alembic_config(service: str, database_url: str) -> Config:
    """The Alembic configuration of a service: its `migrations/` package and its database."""
    config = Config()
    config.set_main_option("script_location", f"dataservices.{service}:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default); a SQLite file is left in WAL mode."""
    ensure_sqlite_directory(database_url)
    command.upgrade(alembic_config(service, database_url), revision)
    if is_sqlite(database_url):
        # WAL lets reads go on while a write commits; it is kept in the file, so set it once here.
        engine = create_engine(driver_url(database_url))
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        engine.dispose()
