"""`contractkit diff` on the command line: arguments, formats, output file and exit codes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contractkit.cli import ExitCode, app
from tests.contractkit.diff.corpus import PAIRS

SHOP = PAIRS / "shop"
BASE = str(SHOP / "base" / "items" / "openapi.yaml")
REVISION = str(SHOP / "revision" / "items" / "openapi.yaml")
UNCHANGED = str(PAIRS / "refactors" / "base" / "openapi.yaml")
REFACTORED = str(PAIRS / "refactors" / "revision" / "openapi.yaml")
PACTS = ["--pacts", str(SHOP / "revision" / "pacts"), "--as-of", "2026-06-01"]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def test_exit_0_when_nothing_reaches_the_threshold() -> None:
    code, out, _ = _run(UNCHANGED, REFACTORED)
    assert code == ExitCode.OK
    assert "no changes" in out


def test_exit_1_on_breaking_changes_and_the_threshold_moves_it() -> None:
    assert _run(BASE, REVISION, *PACTS)[0] == ExitCode.PROBLEMS
    assert _run(BASE, REVISION, "--fail-on", "never")[0] == ExitCode.OK
    # Only warnings: the default threshold passes, `--fail-on warning` fails.
    only_warnings = [str(SHOP / side / "items" / "openapi.yaml") for side in ("base", "revision")]
    code, out, _ = _run(*only_warnings, "--fail-on", "warning", "--format", "json")
    assert code == ExitCode.PROBLEMS
    assert json.loads(out)["summary"]["failed"] is True


@pytest.mark.parametrize(
    "args",
    [
        [],
        [BASE],
        [BASE, REVISION, "--git-base", "main"],
        [BASE, REVISION, "--format", "xml"],
        [BASE, REVISION, "--fail-on", "info"],
        [BASE, REVISION, "--as-of", "tomorrow"],
        ["missing.yaml", REVISION],
    ],
)
def test_usage_errors_and_unreadable_input_exit_2(args: list[str]) -> None:
    assert _run(*args)[0] == ExitCode.USAGE


def test_an_unparsable_contract_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "openapi.yaml"
    broken.write_text("openapi: 3.1.0\npaths: {\n", encoding="utf-8")
    code, out, error = _run(str(broken), REVISION)
    assert code == ExitCode.USAGE
    assert "openapi.yaml:3: /: invalid YAML" in error
    assert "Traceback" not in out + error


def test_output_file_gets_the_report_and_stderr_the_summary(tmp_path: Path) -> None:
    target = tmp_path / "diff.json"
    code, out, error = _run(BASE, REVISION, *PACTS, "--format", "json", "--output", str(target))
    assert (code, out) == (ExitCode.PROBLEMS, "")
    assert "3 breaking, 4 warning, 0 info in 1 contract (fail on breaking: failed)" in error
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["summary"] == {
        "breaking": 3,
        "warning": 4,
        "info": 0,
        "contracts": 1,
        "failOn": "breaking",
        "failed": True,
    }
    assert _run(BASE, REVISION, "--output", str(tmp_path / "no" / "dir.txt"))[0] == ExitCode.USAGE


def test_every_format_renders() -> None:
    outputs = {
        fmt: _run(BASE, REVISION, *PACTS, "--format", fmt)[1] for fmt in ("text", "markdown", "json", "github", "junit")
    }
    assert "BREAKING operation-removed-without-deprecation  DELETE /v1/items/{itemId}" in outputs["text"]
    assert outputs["markdown"].startswith("<!-- contractkit-diff -->\n### Contract diff:")
    assert len(json.loads(outputs["json"])["findings"]) == 7
    assert outputs["github"].splitlines()[0].startswith("::error file=")
    suites = ElementTree.fromstring(outputs["junit"])
    assert (suites.get("tests"), suites.get("failures")) == ("7", "3")


def test_a_new_user_reviews_a_branch_against_main(repository: Path) -> None:
    shutil.copy(
        SHOP / "revision" / "shared" / "parameters.yaml", repository / "contracts" / "shared" / "parameters.yaml"
    )
    shutil.copy(SHOP / "revision" / "items" / "openapi.yaml", repository / "contracts" / "items" / "openapi.yaml")
    code, out, _ = _run("--git-base", "main", "--format", "markdown", "--as-of", "2026-06-01")
    assert code == ExitCode.PROBLEMS
    assert "| `request-range-narrowed` | `GET /v1/items` | `contracts/shared/parameters.yaml:4` |" in out
    assert "breaks storefront — 'a request for a page of items' (uses `limit`)" in out
    assert "- base: `main:contracts/shared/parameters.yaml:4` `/Limit/schema/maximum`" in out
    assert "<details><summary>🔴 3 breaking</summary>" in out
