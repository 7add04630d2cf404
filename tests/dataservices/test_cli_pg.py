"""`dataservices pg up | status | down`: a local pair that outlives the command, and the variables to export."""

from __future__ import annotations

import asyncio
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from dataservices.cli import app
from dataservices.coupon.settings import CouponSettings
from dataservices.pgpair import PostgresBinaries
from dataservices.pgpair.local import tear_down


@pytest.fixture
def pair_directory(postgres_binaries: PostgresBinaries) -> Iterator[Path]:
    # Under the system's temp folder, which the postgres user can reach (pytest's tmp_path may not be).
    directory = Path(tempfile.mkdtemp(prefix="dataservices-pg-cli-"))
    try:
        yield directory
    finally:
        tear_down(directory)


def _pg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["pg", *args])
    return result.exit_code, result.stdout, result.stderr


async def _server_facts(url: str) -> tuple[str, bool]:
    """The database a SQLAlchemy asyncpg URL reaches, and whether that server is a standby."""
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return await connection.fetchval("SELECT current_database()"), await connection.fetchval(
            "SELECT pg_is_in_recovery()"
        )
    finally:
        await connection.close()


def test_up_prints_exports_the_service_settings_read(pair_directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, stdout, stderr = _pg("up", "--directory", str(pair_directory))
    assert code == 0, stderr
    assert "started" in stderr
    exports = dict(shlex.split(line)[1].split("=", 1) for line in stdout.splitlines())
    assert set(exports) == {"DATASERVICES_COUPON_DATABASE_URL", "DATASERVICES_COUPON_REPLICA_DATABASE_URL"}
    assert all(line.startswith("export ") for line in stdout.splitlines())

    for name, value in exports.items():
        monkeypatch.setenv(name, value)
    settings = CouponSettings()
    assert asyncio.run(_server_facts(settings.resolved_database_url())) == ("coupon", False)
    assert settings.replica_database_url is not None
    assert asyncio.run(_server_facts(settings.replica_database_url)) == ("coupon", True)

    # A second `up` finds the running pair and prints the same variables.
    code, again, stderr = _pg("up", "--directory", str(pair_directory))
    assert code == 0, stderr
    assert "running" in stderr
    assert again == stdout

    code, status, _ = _pg("status", "--directory", str(pair_directory))
    assert code == 0
    assert "replication  streaming" in status
    assert "databases  coupon" in status

    code, _, stderr = _pg("down", "--directory", str(pair_directory))
    assert code == 0
    assert "stopped and removed" in stderr
    assert not pair_directory.exists()
    code, _, stderr = _pg("status", "--directory", str(pair_directory))
    assert code == 1
    assert "no PostgreSQL pair" in stderr


def test_down_without_a_pair_says_so_and_succeeds(tmp_path: Path) -> None:
    code, _, stderr = _pg("down", "--directory", str(tmp_path / "nothing"))
    assert code == 0
    assert "no PostgreSQL pair" in stderr
