"""The issue's acceptance cases: a float money field, a POST redemption without Idempotency-Key and an
error response without problem+json, each reported by the right rule at the right file:line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contractkit.cli import ExitCode, app

CONTRACT = Path(__file__).parent / "fixtures" / "done-when" / "coupon" / "openapi.yaml"
EXPECT = re.compile(r"#\s*expect:\s*(DSL-\d{3})\s*$")


def _marked() -> set[tuple[str, str, int]]:
    lines = CONTRACT.read_text(encoding="utf-8").splitlines()
    shown = "fixtures/done-when/coupon/openapi.yaml"
    return {(m.group(1), shown, n) for n, line in enumerate(lines, 1) if (m := EXPECT.search(line))}


@pytest.fixture(autouse=True)
def in_lint_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent)


def test_each_mistake_is_reported_by_its_rule_at_its_line() -> None:
    result = CliRunner().invoke(app, ["lint", str(CONTRACT.relative_to(Path.cwd())), "--format", "json"])
    assert result.exit_code == ExitCode.PROBLEMS
    findings = json.loads(result.stdout)["findings"]
    reported = {
        (f["ruleId"], f["file"], f["line"]) for f in findings if f["ruleId"] in {"DSL-301", "DSL-402", "DSL-502"}
    }
    assert reported == _marked()
    assert {rule for rule, _, _ in reported} == {"DSL-301", "DSL-402", "DSL-502"}


def test_the_contract_has_no_other_finding() -> None:
    result = CliRunner().invoke(app, ["lint", str(CONTRACT), "--format", "json"])
    assert sorted(f["ruleId"] for f in json.loads(result.stdout)["findings"]) == ["DSL-301", "DSL-402", "DSL-502"]
