"""Every checkable rule, on its own fixtures: the bad one reports it at the marked lines, the good one not at all.

A bad fixture marks each line that must be reported with ``# expect: DSL-NNN`` at its end. The
test fails when a checkable rule has no fixtures, so no rule can be registered untested.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contractkit.lint.context import LintContext
from contractkit.lint.engine import lint_workspace, locate
from contractkit.lint.registry import Rule, default_registry
from contractkit.loading import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(DSL-\d{3})\s*$")
CHECKED = [entry for entry in default_registry().entries() if entry.check is not None]


def _marked_lines(path: Path, rule_id: str) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {number for number, line in enumerate(lines, 1) if (m := EXPECT.search(line)) and m.group(1) == rule_id}


def _reported_lines(path: Path, rule: Rule) -> list[int]:
    entry = next(entry for entry in CHECKED if entry.rule is rule)
    assert entry.check is not None
    results = locate(entry.check(LintContext(Workspace(path))))
    assert all(result.rule_id == rule.id for result in results)
    return sorted(result.line for result in results if result.file == path)


@pytest.mark.parametrize("rule", [entry.rule for entry in CHECKED], ids=lambda rule: rule.id)
def test_bad_fixture_reports_the_rule_at_every_marked_line(rule: Rule) -> None:
    bad = FIXTURES / rule.id / "bad.yaml"
    assert bad.is_file(), f"{rule.id} has a check but no fixture {bad.relative_to(FIXTURES)}"
    expected = _marked_lines(bad, rule.id)
    assert expected, f"{bad} marks no line with '# expect: {rule.id}'"
    assert set(_reported_lines(bad, rule)) == expected


@pytest.mark.parametrize("rule", [entry.rule for entry in CHECKED], ids=lambda rule: rule.id)
def test_good_fixture_reports_nothing_of_the_rule(rule: Rule) -> None:
    good = FIXTURES / rule.id / "good.yaml"
    assert good.is_file(), f"{rule.id} has a check but no fixture {good.relative_to(FIXTURES)}"
    assert _reported_lines(good, rule) == []


def test_fixture_folders_name_checked_rules() -> None:
    checked = {entry.rule.id for entry in CHECKED}
    folders = {folder.name for folder in FIXTURES.iterdir() if folder.name.startswith("DSL-")}
    assert folders == checked


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("DSL-*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_check_crashes_on_any_fixture(fixture: Path) -> None:
    results = lint_workspace(Workspace(fixture))
    assert [r.message for r in results if r.message.startswith("internal error")] == []
