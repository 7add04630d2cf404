"""Reporters: the Markdown comment's shape and size limit, GitHub escaping, JUnit counts, empty reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

from contractkit.diff import CHECKS, ContractDiff, DiffReport, Finding, Impact, Level, Location
from contractkit.diff.report import REPORTERS
from contractkit.diff.report.markdown import MARKER


def _finding(check: str, operation: str | None = "GET /v1/items", consumers: tuple[Impact, ...] = ()) -> Finding:
    return Finding(
        CHECKS[check],
        operation,
        "Query parameter `a|b`: removed; requests still succeed.\nSecond line, with a comma: and a colon",
        Location("main:contracts/items/openapi.yaml", 10, "/paths/~1v1~1items/get/parameters/0"),
        Location("contracts/items/openapi.yaml", 12, "/paths/~1v1~1items/get"),
        None,
        consumers=consumers,
    )


def _report(*findings: Finding) -> DiffReport:
    contract = ContractDiff("main:contracts/items/openapi.yaml", "contracts/items/openapi.yaml", findings)
    return DiffReport((contract,), ("pacts/x.json: skipped",))


BREAKING = _finding("request-required-parameter-added", consumers=(Impact("shop", "a request | for items", "q"),))
WARNING = _finding("request-parameter-removed")
INFO = _finding("operation-added", operation="POST /v1/items")


def test_markdown_puts_the_summary_first_and_folds_the_details() -> None:
    text = REPORTERS["markdown"](Level.BREAKING).render(_report(BREAKING, WARNING, INFO))
    lines = text.splitlines()
    assert lines[0] == MARKER
    assert lines[1] == "### Contract diff: 🔴 1 breaking · 🟡 1 warning · 🔵 1 info"
    summary, breaking, details = (text.index(part) for part in ("| contract |", "**Breaking changes**", "<details>"))
    assert summary < breaking < details
    assert "| `contracts/items/openapi.yaml` | 1 | 1 | 1 | shop |" in text
    # A pipe cannot break a table row; the details keep the text as it is.
    assert "| breaks shop — 'a request \\| for items' (uses `q`) |" in text
    assert "- consumers: breaks shop — 'a request | for items' (uses `q`)" in text
    assert "no known consumer" in text
    assert text.count("<details>") == 3
    assert "> pacts/x.json: skipped" in text


def test_markdown_stays_under_githubs_comment_limit() -> None:
    many = tuple(_finding("request-parameter-removed", operation=f"GET /v1/items/{n}") for n in range(2000))
    text = REPORTERS["markdown"](Level.BREAKING).render(_report(*many))
    assert len(text) < 65_536
    assert "more (use `--format json` or `--format text` for all)" in text


def test_github_annotations_escape_data_and_properties() -> None:
    lines = REPORTERS["github"](Level.BREAKING).render(_report(BREAKING, INFO)).splitlines()
    assert lines[0].startswith(
        "::error file=contracts/items/openapi.yaml,line=12,title=request-required-parameter-added"
    )
    assert "%0ASecond line, with a comma: and a colon%0Abreaks shop — 'a request | for items'" in lines[0]
    assert lines[1].startswith("::notice file=")
    assert lines[-1].startswith("::notice title=contractkit diff::1 breaking, 0 warning, 1 info")


def test_junit_fails_findings_at_the_threshold_only() -> None:
    suites = ElementTree.fromstring(REPORTERS["junit"](Level.WARNING).render(_report(BREAKING, WARNING, INFO)))
    assert (suites.get("tests"), suites.get("failures")) == ("3", "2")
    empty = ElementTree.fromstring(REPORTERS["junit"](Level.BREAKING).render(_report()))
    assert [case.get("name") for case in empty.iter("testcase")] == ["no changes"]


def test_json_is_one_document_and_never_fails_when_told_never() -> None:
    data = json.loads(REPORTERS["json"](None).render(_report(BREAKING)))
    assert data["summary"]["failOn"] == "never"
    assert data["summary"]["failed"] is False
    (finding,) = data["findings"]
    assert finding["base"] == {
        "file": "main:contracts/items/openapi.yaml",
        "line": 10,
        "pointer": "/paths/~1v1~1items/get/parameters/0",
    }
    assert finding["consumers"] == [{"consumer": "shop", "interaction": "a request | for items", "field": "q"}]
    assert json.loads(REPORTERS["json"](Level.BREAKING).render(DiffReport(())))["findings"] == []


def test_text_says_when_no_contract_differs() -> None:
    text = REPORTERS["text"](Level.BREAKING).render(DiffReport(()))
    assert text == "no contract differs\n0 breaking, 0 warning, 0 info in 0 contracts (fail on breaking: passed)\n"
