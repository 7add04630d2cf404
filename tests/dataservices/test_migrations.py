"""Every registered service's migrations create exactly the tables its code declares, on both engines.

Alembic's autogenerate comparison (`pending_changes`) between the migrated database and the service's
`MetaData` must find nothing: no missing or extra table, column, index, unique constraint or foreign key,
and no column type that differs. The migrations also run down to nothing and up again, so a deploy can be
rolled back. A service added to the registry is checked here with no test of its own.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, inspect

from dataservices.common.db import UTCDateTime, driver_url
from dataservices.common.migrate import alembic_config, new_revision, pending_changes, upgrade
from dataservices.common.service_spec import ServiceSpec
from dataservices.registry import SERVICES
from tests.fixtures.services import ServiceDatabase, sqlite_database


def _tables(url: str) -> set[str]:
    engine = create_engine(driver_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.parametrize("spec", list(SERVICES), ids=lambda spec: spec.name)
def test_the_migrations_create_exactly_the_declared_tables(spec: ServiceSpec[Any], service_database: Any) -> None:
    database: ServiceDatabase = service_database(spec.name)
    upgrade(spec, database.url)
    assert _tables(database.url) == set(spec.metadata.tables)
    assert pending_changes(spec, database.url) == []


@pytest.mark.parametrize("spec", list(SERVICES), ids=lambda spec: spec.name)
def test_the_migrations_go_down_to_nothing_and_up_again(spec: ServiceSpec[Any], service_database: Any) -> None:
    database: ServiceDatabase = service_database(spec.name)
    upgrade(spec, database.url)
    command.downgrade(alembic_config(spec, database.url), "base")
    assert _tables(database.url) == set()
    upgrade(spec, database.url)
    assert pending_changes(spec, database.url) == []


def _with_extra_table(spec: ServiceSpec[Any]) -> ServiceSpec[Any]:
    metadata = MetaData(naming_convention=spec.metadata.naming_convention)
    for table in spec.metadata.tables.values():
        table.to_metadata(metadata)
    Table(
        "gift_cards",
        metadata,
        Column("id", String(30), primary_key=True),
        Column("balance", Integer, nullable=False),
        Column("expires_at", UTCDateTime(), nullable=False),
    )
    return dataclasses.replace(spec, metadata=metadata)


def test_a_table_the_migrations_lack_is_found(tmp_path: Path) -> None:
    spec = SERVICES.get("coupon")
    database = sqlite_database(tmp_path, "coupon")
    upgrade(spec, database.url)
    changes = pending_changes(_with_extra_table(spec), database.url)
    assert [change[0] for change in changes] == ["add_table"]
    assert changes[0][1].name == "gift_cards"


def test_a_new_revision_is_written_from_the_tables_and_closes_the_gap(tmp_path: Path) -> None:
    """`dataservices revision` autogenerates the next numbered script; applied, nothing is pending."""
    spec = _with_extra_table(SERVICES.get("coupon"))
    versions = tmp_path / "versions"
    shutil.copytree(spec.versions, versions, ignore=shutil.ignore_patterns("__pycache__"))
    spec = dataclasses.replace(spec, versions=versions)
    numbers = sorted(int(path.name.split("_")[0]) for path in versions.glob("*.py"))

    script = new_revision(spec, "add gift cards")

    assert script.parent == versions
    assert script.name == f"{numbers[-1] + 1:04d}_add_gift_cards.py"
    text = script.read_text()
    assert "op.create_table('gift_cards'" in text
    assert "from dataservices.common.db import UTCDateTime" in text
    database = sqlite_database(tmp_path, "coupon")
    upgrade(spec, database.url)
    assert pending_changes(spec, database.url) == []
