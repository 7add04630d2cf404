"""Alembic environment of the coupon service, on the driver the service uses (sqlite3 or psycopg)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from dataservices.common.db import driver_url
from dataservices.coupon.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""

if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(driver_url(url))
    with engine.connect() as connection:
        # Batch mode lets later migrations alter tables on SQLite, which lacks most ALTER TABLE forms.
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    engine.dispose()
