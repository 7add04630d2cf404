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
        separator = "\n"
        for result in report.results:
            out.write(separator + self._finding(result))
            separator = ",\n"
        out.write("\n]}\n" if report.results else "]}\n")

    def _finding(self, result: Result) -> str:
        # Assembled by hand with the C string encoder: a 13 MB document yields ~80,000 of these, and
        # building a dict per finding for json.dumps costs more than the rest of the report.
        waiver = result.waiver
        waived = (
            "null"
            if waiver is None
            else f'{{"reason": {encode_basestring(waiver.reason)}, "owner": {encode_basestring(waiver.owner)}, '
            f'"expires": "{waiver.expires.isoformat()}"}}'
        )
        file = encode_basestring(self.options.path(result.file))
        return (
            f'{{"ruleId": "{result.rule_id}", "severity": "{result.severity}", '
            f'"message": {encode_basestring(result.message)}, "file": {file}, '
            f'"line": {result.line}, "column": {result.column}, "pointer": {encode_basestring(result.pointer)}, '
            f'"docsUrl": {encode_basestring(result.docs_url)}, "waived": {"true" if waiver else "false"}, '
            f'"waiver": {waived}}}'
        )
