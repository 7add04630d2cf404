"""`contractkit validate`: output format, discovery and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contractkit.cli import ExitCode, app

FIXTURES = Path(__file__).parents[1] / "fixtures"
PROBLEM_LINE = re.compile(r"^[^:\s]+:\d+: /\S*: .+$")


@pytest.fixture(autouse=True)
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths print relative to the working directory; run where the fixture contracts are.
    monkeypatch.chdir(FIXTURES)


def _run(*args: str) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(app, ["validate", *args])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_valid_contracts_print_ok_and_exit_0() -> None:
    code, lines, summary = _run("contracts/good", "refs/api/openapi.yaml")
    assert code == ExitCode.OK == 0
    assert lines == ["OK contracts/good/openapi.yaml", "OK refs/api/openapi.yaml"]
    assert "2 contracts checked, 0 problems" in summary


def test_problems_print_as_file_line_pointer_message_and_exit_1() -> None:
    code, lines, summary = _run("contracts/bad")
    assert code == ExitCode.PROBLEMS == 1
    assert lines == [
        "contracts/bad/openapi.yaml:7: /paths/~1v1~1pets~1{petId}/get: Path parameter 'petId' for 'get' "
        "operation in '/v1/pets/{petId}' was not resolved",
        'contracts/bad/openapi.yaml:10: /paths/~1v1~1pets~1{petId}/get/responses/200: "description" is a '
        "required property",
        "contracts/shared/schemas.yaml:16: /BadPet/properties/name/type: 'strin' is not one of ['array', "
        "'boolean', 'integer', 'null', 'number', 'object', 'string']",
    ]
    assert "3 problems" in summary


def test_broken_refs_are_reported_not_raised() -> None:
    code, lines, _ = _run("broken")
    assert code == ExitCode.PROBLEMS
    assert len(lines) == 4
    assert all(PROBLEM_LINE.match(line) for line in lines)
    assert "broken/openapi.yaml:20: " in lines[2]


def test_default_directory_is_contracts_and_skips_shared_and_pacts() -> None:
    code, lines, summary = _run()
    assert code == ExitCode.PROBLEMS
    assert "OK contracts/good/openapi.yaml" in lines
    assert not any("pacts" in line for line in lines)
    assert "2 contracts checked" in summary
    assert all(PROBLEM_LINE.match(line) for line in lines if not line.startswith("OK "))


def test_quiet_prints_problems_only() -> None:
    code, lines, _ = _run("--quiet", "contracts/good")
    assert (code, lines) == (ExitCode.OK, [])


def test_missing_paths_and_empty_directories_are_usage_errors(tmp_path: Path) -> None:
    code, _, error = _run("no/such/dir")
    assert code == ExitCode.USAGE == 2
    assert "no such file or directory" in error
    code, _, error = _run(str(tmp_path))
    assert code == ExitCode.USAGE
    assert "no contracts found" in error


def test_unreadable_files_are_usage_errors(tmp_path: Path) -> None:
    contract = tmp_path / "openapi.yaml"
    contract.write_bytes(b"\xff\xfe not utf-8")
    code, _, error = _run(str(contract))
    assert code == ExitCode.USAGE
    assert "cannot read file" in error
