"""Every output format: text lines, JSON, SARIF 2.1.0 (validated against its schema), GitHub annotations, JUnit."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from contractkit.lint.registry import default_registry
from contractkit.lint.run import LintRequest, lint
from contractkit.lint.unresolved import UNRESOLVED_REF
from contractkit.lint.waivers import WAIVER_CHECKS

HERE = Path(__file__).parent
CONTRACT = HERE / "fixtures" / "done-when" / "coupon" / "openapi.yaml"
SARIF_SCHEMA = HERE / "sarif" / "sarif-2.1.0-rtm.5.json"
WAIVERS = """\
waivers:
  - {{rule: DSL-301, file: '{contract}', pointer: /components/schemas/RedemptionRequest/properties/orderAmount,
     reason: Migrating to Money in the next release., owner: Coupon team, expires: 2099-01-01}}
  - {{rule: DSL-105, file: '{contract}', pointer: /nowhere, reason: Stale., owner: Coupon team, expires: 2099-01-01}}
"""


def _render(output_format: str, waivers: Path | None = None) -> str:
    request = LintRequest(
        contracts=[CONTRACT],
        output_format=output_format,
        waivers_file=waivers,
        use_waivers=waivers is not None,
        today=date(2026, 1, 1),
        relative_to=HERE,
    )
    return lint(request).text()


@pytest.fixture
def waivers(tmp_path: Path) -> Path:
    # `file` is relative to the waivers file, or absolute as here.
    path = tmp_path / "waivers.yaml"
    path.write_text(WAIVERS.format(contract=CONTRACT), encoding="utf-8")
    return path


def test_text_lines_name_file_line_column_severity_rule_and_docs() -> None:
    lines = _render("text").splitlines()
    pattern = re.compile(
        r"^fixtures/done-when/coupon/openapi\.yaml:\d+:\d+: (error|warning) DSL-\d{3}: .+ \[/\S*\] https://\S+$"
    )
    assert len(lines) == 3
    assert all(pattern.match(line) for line in lines), lines


def test_json_carries_every_field_of_a_finding() -> None:
    report = json.loads(_render("json"))
    assert report["summary"] == {
        "contracts": ["fixtures/done-when/coupon/openapi.yaml"],
        "errors": 3,
        "warnings": 0,
        "waived": 0,
        "failOn": "error",
        "failed": True,
    }
    money = next(f for f in report["findings"] if f["ruleId"] == "DSL-301")
    assert money == {
        "ruleId": "DSL-301",
        "severity": "error",
        "message": money["message"],
        "file": "fixtures/done-when/coupon/openapi.yaml",
        "line": 101,
        "column": 9,
        "pointer": "/components/schemas/RedemptionRequest/properties/orderAmount",
        "docsUrl": "https://dataservices.example.com/guidelines/data-types/#dsl-301",
        "waived": False,
        "waiver": None,
    }


def _sarif(waivers: Path | None = None) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(_render("sarif", waivers))
    return log


def test_sarif_validates_against_the_sarif_2_1_0_schema(waivers: Path) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    for log in (_sarif(), _sarif(waivers)):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(schema).iter_errors(log)]
        assert errors == []


def test_sarif_lists_every_rule_with_its_help_uri_and_locates_results(waivers: Path) -> None:
    run = _sarif(waivers)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    checked = [entry.rule for entry in default_registry().entries() if entry.check is not None]
    expected = [rule.id for rule in checked] + [UNRESOLVED_REF.id] + [check.id for check in WAIVER_CHECKS]
    assert [rule["id"] for rule in rules] == expected
    assert all(rule["helpUri"].startswith("https://dataservices.example.com/guidelines/") for rule in rules[:-3])
    assert rules[-3]["helpUri"] == "https://dataservices.example.com/tools/#unresolved-ref"
    money = next(r for r in run["results"] if r["ruleId"] == "DSL-301")
    location = money["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "fixtures/done-when/coupon/openapi.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 101, "startColumn": 9}
    assert rules[money["ruleIndex"]]["id"] == "DSL-301"
    assert money["suppressions"][0]["kind"] == "external"
    assert "Migrating to Money" in money["suppressions"][0]["justification"]
    unmatched = next(r for r in run["results"] if r["ruleId"] == "waiver-unmatched")
    assert unmatched["level"] == "warning"


ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,title=[^,:]+::\S.*$")


def test_github_prints_one_workflow_annotation_per_result(waivers: Path) -> None:
    lines = _render("github", waivers).splitlines()
    assert lines
    assert all(ANNOTATION.match(line) for line in lines), lines
    commands = sorted(line.split(" ", 1)[0] for line in lines)
    assert commands == ["::error", "::error", "::notice", "::warning"]
    assert any(
        line.startswith("::notice file=fixtures/done-when/coupon/openapi.yaml,line=101,col=9,") for line in lines
    )


def test_junit_parses_with_a_test_case_per_rule_and_failures_for_findings(waivers: Path) -> None:
    root = ElementTree.fromstring(_render("junit", waivers))
    assert root.tag == "testsuites"
    contract, waiver_suite = root.findall("testsuite")
    assert contract.get("name") == "fixtures/done-when/coupon/openapi.yaml"
    failed = sorted(case.get("name", "") for case in contract.iter("testcase") if case.find("failure") is not None)
    assert failed == ["DSL-402 problem-json-errors", "DSL-502 idempotency-key"]
    money = next(case for case in contract.iter("testcase") if case.get("name", "").startswith("DSL-301"))
    assert "waived" in (money.findtext("system-out") or "")
    assert waiver_suite.get("name") == "waivers"
    assert int(root.get("failures", "0")) == 2
    assert int(root.get("tests", "0")) == len(list(root.iter("testcase")))


def test_json_shows_the_waiver_that_accepts_a_finding(waivers: Path) -> None:
    report = json.loads(_render("json", waivers))
    assert report["summary"]["waived"] == 1
    money = next(f for f in report["findings"] if f["ruleId"] == "DSL-301")
    assert (money["waived"], money["waiver"]) == (
        True,
        {"reason": "Migrating to Money in the next release.", "owner": "Coupon team", "expires": "2099-01-01"},
    )
    assert all(f["waiver"] is None for f in report["findings"] if not f["waived"])
