"""``contractkit lint``: exit codes, output file, formats, and our own contracts linting clean."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contractkit.cli import ExitCode, app

REPOSITORY = Path(__file__).parents[3]
FIXTURES = Path(__file__).parent / "fixtures"
DONE_WHEN = FIXTURES / "done-when" / "coupon" / "openapi.yaml"


def _lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["lint", *args])
    return result.exit_code, result.stdout, result.stderr


def test_our_contracts_lint_clean_with_zero_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    code, out, summary = _lint("contracts/", "--format", "json", "--fail-on", "warning")
    report = json.loads(out)
    assert code == ExitCode.OK == 0
    assert [f for f in report["findings"] if not f["waived"]] == []
    assert report["summary"]["errors"] == report["summary"]["warnings"] == 0
    assert "0 errors, 0 warnings" in summary


def test_the_default_path_is_contracts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    code, _, summary = _lint()
    assert code == ExitCode.OK
    assert summary.startswith("1 contract linted")


def test_findings_at_or_above_fail_on_exit_1() -> None:
    code, out, summary = _lint(str(DONE_WHEN))
    assert code == ExitCode.PROBLEMS == 1
    assert len(out.splitlines()) == 3
    assert "3 errors" in summary


@pytest.fixture
def warnings_only(tmp_path: Path) -> Path:
    # The coupon contract with one description removed: a SHOULD rule's warning and nothing else.
    shutil.copytree(REPOSITORY / "contracts", tmp_path / "contracts", ignore=shutil.ignore_patterns("pacts"))
    contract = tmp_path / "contracts" / "coupon" / "openapi.yaml"
    text = contract.read_text(encoding="utf-8")
    described = "              description: This page's coupons, newest first.\n"
    assert described in text
    contract.write_text(text.replace(described, ""), encoding="utf-8")
    return contract


def _root(contract: Path) -> list[str]:
    # The copy lies outside any repository: its root must be named for `../shared` to be read.
    return ["--root", str(contract.parents[2])]


def test_warnings_fail_only_with_fail_on_warning(warnings_only: Path) -> None:
    code, out, summary = _lint(str(warnings_only), *_root(warnings_only))
    assert code == ExitCode.OK
    assert "0 errors, 1 warning, 0 waived" in summary
    assert " warning DSL-105: " in out
    code, _, _ = _lint(str(warnings_only), *_root(warnings_only), "--fail-on", "warning")
    assert code == ExitCode.PROBLEMS


def test_no_waivers_reports_the_waived_findings(warnings_only: Path) -> None:
    waivers = warnings_only.parents[1] / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - rule: DSL-105\n"
        "    file: coupon/openapi.yaml\n"
        "    pointer: /components/schemas/CouponPage/allOf/1/properties/items\n"
        "    reason: A test of the --no-waivers switch.\n"
        "    owner: Contract tooling\n"
        "    expires: 2999-01-01\n",
        encoding="utf-8",
    )
    code, _, summary = _lint(str(warnings_only), *_root(warnings_only), "--fail-on", "warning")
    assert (code, "0 errors, 0 warnings, 1 waived" in summary) == (ExitCode.OK, True), summary
    code, _, summary = _lint(str(warnings_only), *_root(warnings_only), "--fail-on", "warning", "--no-waivers")
    assert code == ExitCode.PROBLEMS
    assert "0 errors, 1 warning, 0 waived" in summary


def test_output_goes_to_the_file_given(tmp_path: Path) -> None:
    target = tmp_path / "lint.sarif"
    code, out, _ = _lint(str(DONE_WHEN), "--format", "sarif", "--output", str(target))
    assert code == ExitCode.PROBLEMS
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


@pytest.mark.parametrize(
    "args",
    [
        ["no/such/contract.yaml"],
        ["--format", "xml", "contracts"],
        ["--fail-on", "info", "contracts"],
    ],
)
def test_usage_errors_exit_2(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    code, _, _ = _lint(*args)
    assert code == ExitCode.USAGE == 2


def test_unparsable_contract_exits_2_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "openapi.yaml"
    broken.write_text("openapi: 3.1.0\npaths: [\n", encoding="utf-8")
    code, out, err = _lint(str(broken))
    assert code == ExitCode.USAGE
    assert out == ""
    assert "openapi.yaml:" in err
    assert "invalid YAML" in err


def test_unreadable_or_malformed_waivers_exit_2(tmp_path: Path) -> None:
    code, _, err = _lint(str(DONE_WHEN), "--waivers", str(tmp_path / "missing.yaml"))
    assert code == ExitCode.USAGE
    assert "cannot read" in err
    bad = tmp_path / "waivers.yaml"
    bad.write_text("waivers:\n  - rule: DSL-301\n", encoding="utf-8")
    code, _, err = _lint(str(DONE_WHEN), "--waivers", str(bad))
    assert code == ExitCode.USAGE
    assert "waivers.yaml:2: /: waiver: missing or empty" in err


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _lint(str(tmp_path))
    assert code == ExitCode.USAGE
    assert "no contracts found" in err


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(app, ["lint", "--help"])
    assert result.exit_code == 0
    for text in ("--format", "--output", "--fail-on", "--waivers", "Exit status"):
        assert text in result.stdout
