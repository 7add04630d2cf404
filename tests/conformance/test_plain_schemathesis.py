"""Plain Schemathesis (`st run`, its own command line) passes against the coupon service with the written config.

`contractkit verify --write-config` writes the configuration `verify` uses as a `schemathesis.toml`;
`st` then runs every check in every phase against a live coupon service, from the contract file
itself. Without the contract's own relaxations the same run fails, which shows the file is what makes
plain Schemathesis agree with the contract. Runs are bounded by examples per operation and a fixed
seed; the process timeout only stops a hung run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from contractkit.cli import ExitCode, app
from tests.fixtures.coupon_service import RunningCouponService

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "coupon" / "openapi.yaml"
ST = Path(sys.executable).parent / "st"
MAX_EXAMPLES = 10
SEED = 1
# A hung run is stopped here; a passing run takes well under a minute.
HANG_SECONDS = 600
PHASES = ("Examples", "Coverage", "Fuzzing", "Stateful")


def _write_config(target: Path, base_url: str) -> None:
    args = ["verify", str(CONTRACT), "--write-config", str(target), "--base-url", base_url]
    result = CliRunner().invoke(app, [*args, "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED)])
    assert result.exit_code == ExitCode.OK, result.output


def _st(config: Path, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`st --config-file CONFIG run CONTRACT ARGS` as a user types it, the token in the environment."""
    return subprocess.run(
        [str(ST), "--no-color", "--config-file", str(config), "run", str(CONTRACT), *args],
        env={**os.environ, "CONTRACTKIT_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        check=False,
    )


@pytest.mark.slow
def test_st_run_with_the_written_config_passes_every_check_in_every_phase(
    coupon_service: RunningCouponService, tmp_path: Path
) -> None:
    config = tmp_path / "schemathesis.toml"
    _write_config(config, coupon_service.url)

    run = _st(config, coupon_service.token(subject="schemathesis"))

    assert run.returncode == 0, run.stdout + run.stderr
    for phase in PHASES:
        assert f"✅ {phase}" in run.stdout, run.stdout
    assert "Selected: 15/15" in run.stdout
    assert "Tested: 15" in run.stdout


@pytest.mark.slow
def test_without_the_contracts_relaxations_st_run_fails(coupon_service: RunningCouponService, tmp_path: Path) -> None:
    """The tuned operations only, the relaxations taken out: the rejections the contract documents fail."""
    written = tmp_path / "written.toml"
    _write_config(written, coupon_service.url)
    config = tomllib.loads(written.read_text())
    tuned = [operation["include-name"] for operation in config.pop("operations")]
    stripped = tmp_path / "stripped.toml"
    stripped.write_text(tomli_w.dumps(config))
    only_tuned = [arg for label in tuned for arg in ("--include-name", label)]

    run = _st(stripped, coupon_service.token(subject="schemathesis"), *only_tuned, "--phases", "examples,coverage")

    assert run.returncode == 1, run.stdout + run.stderr
    assert "Schema-valid request rejected" in run.stdout
    assert "Missing required header accepted" in run.stdout
