"""The `MetaData` every service's tables hang on, with one naming convention for constraints and indexes.

Named constraints are what lets a later migration drop or alter them, and what keeps their names the
same on SQLite and PostgreSQL (each engine names an unnamed constraint its own way), so Alembic's
comparison of the migrated database with the tables finds nothing on either engine.
"""

from __future__ import annotations

from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A new, empty `MetaData` for one service's tables (each service has its own)."""
    return MetaData(naming_convention=NAMING_CONVENTION)
