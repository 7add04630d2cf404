"""`--root` and the CONTRACTKIT_MAX_* variables, the same on every command that loads contracts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from contractkit.cli import ExitCode, app

CONTRACT = """openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /v1/things:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "../shared/thing.yaml#/Thing"}
"""
# Every command that loads contracts, with what it needs besides the contract.
COMMANDS = {
    "validate": [],
    "lint": ["--no-waivers"],
    "bundle": [],
    "diff": ["BASE"],
    "verify": ["--base-url", "http://127.0.0.1:9", "--phases", "examples"],
}


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """A contract outside any repository whose shared file sits next to its folder."""
    (tmp_path / "api").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "thing.yaml").write_text("Thing: {type: object}\n")
    (tmp_path / "api" / "openapi.yaml").write_text(CONTRACT)
    return tmp_path / "api" / "openapi.yaml"


def _args(command: str, contract: Path, *extra: str) -> list[str]:
    options = [str(contract) if word == "BASE" else word for word in COMMANDS[command]]
    if command == "diff":
        return ["diff", *options, str(contract), "--pacts", str(contract.parent), *extra]
    return [command, str(contract), *options, *extra]


@pytest.mark.parametrize("command", ["validate", "bundle"])
def test_without_a_repository_the_root_is_the_contract_s_folder(layout: Path, command: str) -> None:
    result = CliRunner().invoke(app, _args(command, layout))
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "refused $ref '../shared/thing.yaml#/Thing'" in result.output
    assert "outside the root" in result.output
    result = CliRunner().invoke(app, _args(command, layout, "--root", str(layout.parents[1])))
    assert result.exit_code == ExitCode.OK, result.output


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_takes_root(layout: Path, command: str) -> None:
    # A root that does not hold the contract: the contract itself is refused, exit 2, one located line.
    elsewhere = layout.parents[1] / "shared"
    result = CliRunner().invoke(app, _args(command, layout, "--root", str(elsewhere)))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"openapi.yaml:1: /: outside the root {elsewhere}" in result.output


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_reads_the_limits_from_the_environment(layout: Path, command: str) -> None:
    root = ["--root", str(layout.parents[1])]
    result = CliRunner().invoke(app, _args(command, layout, *root), env={"CONTRACTKIT_MAX_FILE_SIZE": "100"})
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "openapi.yaml:1: /: file is larger than CONTRACTKIT_MAX_FILE_SIZE=100 bytes allows" in result.output
    result = CliRunner().invoke(app, _args(command, layout, *root), env={"CONTRACTKIT_MAX_FILES": "lots"})
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "error: CONTRACTKIT_MAX_FILES='lots': expected a whole number" in result.output


def test_a_root_that_is_not_a_folder_is_a_usage_error(layout: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(layout), "--root", str(layout)])
    assert result.exit_code == ExitCode.USAGE
    assert "is not a folder" in result.output
