"""Finding the PostgreSQL server programs, and the answer on a machine without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataservices.pgpair import PostgresNotInstalled, find_binaries
from dataservices.pgpair.binaries import PROGRAMS, PostgresBinaries


def test_a_folder_without_the_server_programs_names_the_package_to_install(tmp_path: Path) -> None:
    (tmp_path / "psql").write_text("#!/bin/sh\n")
    with pytest.raises(PostgresNotInstalled, match=r"apt-get install -y postgresql-15") as missing:
        find_binaries(tmp_path)
    assert str(tmp_path) in str(missing.value)


def test_the_found_programs_are_complete_and_recent(postgres_binaries: PostgresBinaries) -> None:
    assert all((postgres_binaries.bindir / program).exists() for program in PROGRAMS)
    assert int(postgres_binaries.version.split(".")[0]) >= 15


def test_as_root_the_programs_run_as_the_postgres_user() -> None:
    binaries = PostgresBinaries(bindir=Path("/opt/pg/bin"), version="15.0", run_as="postgres")
    assert binaries.command("initdb", "-D", "x") == ["runuser", "-u", "postgres", "--", "/opt/pg/bin/initdb", "-D", "x"]
    assert PostgresBinaries(bindir=Path("/opt/pg/bin"), version="15.0").command("pg_ctl") == ["/opt/pg/bin/pg_ctl"]
