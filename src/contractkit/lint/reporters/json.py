"""JSON: the whole report as one document, for scripts and the docs site."""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import TextIO

from contractkit.lint.engine import LintReport
from contractkit.lint.finding import Result
from contractkit.lint.registry import Severity
from contractkit.lint.reporters.base import ReportOptions


class JsonReporter:
    """``{"summary": {...}, "findings": [...]}`` with camelCase keys like our APIs, one finding per line."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options

    def write(self, report: LintReport, out: TextIO) -> None:
        severities = report.severities()
        summary = {
            "contracts": [self.options.path(contract) for contract in report.contracts],
            "errors": severities[Severity.ERROR],
            "warnings": severities[Severity.WARNING],
            "waived": len(report.results) - severities.total(),
            "failOn": str(self.options.fail_on),
            "failed": any(severity.rank >= self.options.fail_on.rank for severity in severities),
        }
        out.write(f'{{"summary": {json.dumps(summary, ensure_ascii=False)},\n"findings": [')
        # The rule's and the file's parts of a finding repeat tens of thousands of times: encoded once each.
        parts: dict[tuple[str, str, str], tuple[str, str]] = {}
        files: dict[str, str] = {}
        separator = "\n"
        for result in report.results:
            rule = parts.get((result.rule_id, result.severity, result.docs_url))
            if rule is None:
                rule = parts[result.rule_id, result.severity, result.docs_url] = self._rule_parts(result)
            file = files.get(str(result.file))
            if file is None:
                file = files[str(result.file)] = encode_basestring(self.options.path(result.file))
            out.write(separator + self._finding(result, rule, file))
            separator = ",\n"
        out.write("\n]}\n" if report.results else "]}\n")

    def _rule_parts(self, result: Result) -> tuple[str, str]:
        head = f'{{"ruleId": "{result.rule_id}", "severity": "{result.severity}", "message": '
        return head, f', "docsUrl": {encode_basestring(result.docs_url)}, "waived": '

    def _finding(self, result: Result, rule: tuple[str, str], file: str) -> str:
        # Assembled by hand with the C string encoder: a 13 MB document yields ~80,000 of these, and
        # building a dict per finding for json.dumps costs more than the rest of the report.
        waiver = result.waiver
        waived = (
            'false, "waiver": null}'
            if waiver is None
            else f'true, "waiver": {{"reason": {encode_basestring(waiver.reason)}, '
            f'"owner": {encode_basestring(waiver.owner)}, "expires": "{waiver.expires.isoformat()}"}}}}'
        )
        return (
            f'{rule[0]}{encode_basestring(result.message)}, "file": {file}, '
            f'"line": {result.line}, "column": {result.column}, "pointer": {encode_basestring(result.pointer)}'
            f"{rule[1]}{waived}"
        )
