"""`contractkit bundle`: output file, format and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from contractkit.bundle import bundle, dump_yaml
from contractkit.cli import ExitCode, app

FIXTURES = Path(__file__).parents[1] / "fixtures"
CONTRACT = FIXTURES / "bundle" / "api" / "openapi.yaml"


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["bundle", *args])
    return result.exit_code, result.stdout, result.stderr


def test_writes_yaml_or_json_by_suffix(tmp_path: Path) -> None:
    assert _invoke(str(CONTRACT), "-o", str(tmp_path / "out.yaml"))[0] == ExitCode.OK
    assert (tmp_path / "out.yaml").read_text() == dump_yaml(bundle(CONTRACT))
    assert _invoke(str(CONTRACT), "--output", str(tmp_path / "out.json"))[0] == ExitCode.OK
    assert json.loads((tmp_path / "out.json").read_text()) == bundle(CONTRACT)


def test_prints_to_stdout_without_output_or_with_dash() -> None:
    code, out, _ = _invoke(str(CONTRACT))
    assert (code, out) == (ExitCode.OK, dump_yaml(bundle(CONTRACT)))
    assert _invoke(str(CONTRACT), "-o", "-")[1] == out
    code, out, _ = _invoke(str(CONTRACT), "--format", "json")
    assert json.loads(out)["openapi"] == "3.1.0"


def test_broken_refs_exit_1_with_problems() -> None:
    code, out, error = _invoke(str(FIXTURES / "broken" / "openapi.yaml"))
    assert code == ExitCode.PROBLEMS
    assert out == ""
    assert error.count("broken $ref") == 3


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _invoke(str(tmp_path / "missing.yaml"))[0] == ExitCode.USAGE
    assert _invoke(str(CONTRACT), "--format", "xml")[0] == ExitCode.USAGE
    assert _invoke(str(CONTRACT), "-o", str(tmp_path / "no" / "dir" / "out.yaml"))[0] == ExitCode.USAGE
