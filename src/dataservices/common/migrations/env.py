"""The Alembic environment every service shares, on the driver the services use (sqlite3 or psycopg).

Each service keeps only its revision scripts (`<service>/migrations/versions/`); `common/migrate.py`
points Alembic at them and hands this environment the service's tables in `config.attributes`, so the
environment itself names no service.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import MetaData, create_engine

from dataservices.common.db import driver_url

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
metadata = config.attributes.get("metadata")
if not isinstance(metadata, MetaData):
    raise RuntimeError("run migrations through `dataservices migrate` (dataservices.common.migrate), not plain alembic")


def render_item(kind: str, item: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Our own column types (`UTCDateTime`) appear in a new revision imported by name, as in a hand-written one."""
    module = type(item).__module__
    if kind == "type" and module.split(".")[0] == "dataservices":
        autogen.imports.add(f"from {module} import {type(item).__name__}")
        return repr(item)
    return False  # everything else as Alembic renders it


if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(driver_url(url))
    with engine.connect() as connection:
        # Batch mode lets later migrations alter tables on SQLite, which lacks most ALTER TABLE forms.
        context.configure(
            connection=connection, target_metadata=metadata, render_as_batch=True, render_item=render_item
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    engine.dispose()
