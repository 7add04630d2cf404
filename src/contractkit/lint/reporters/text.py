"""Plain text: one line per result, in the ``file:line:col:`` shape editors jump to."""

from __future__ import annotations

from typing import TextIO

from contractkit.lint.engine import LintReport
from contractkit.lint.reporters.base import ReportOptions
from contractkit.problems import one_line


class TextReporter:
    """``file:line:col: severity RULE: message [pointer] docs-url``; waived ones say so and why."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options

    def write(self, report: LintReport, out: TextIO) -> None:
        for result in report.results:
            status = f"waived {result.severity}" if result.waived else str(result.severity)
            line = (
                f"{self.options.path(result.file)}:{result.line}:{result.column}: {status} {result.rule_id}: "
                f"{result.message} [{result.pointer or '/'}] {result.docs_url}"
            )
            if result.waiver is not None:
                waiver = result.waiver
                line += f" (waived until {waiver.expires}, owner {waiver.owner}: {waiver.reason})"
            out.write(one_line(line) + "\n")
