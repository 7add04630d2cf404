"""GitHub Actions workflow commands: each result becomes an annotation on the pull request's diff."""

from __future__ import annotations

from typing import TextIO

from contractkit.lint.engine import LintReport
from contractkit.lint.registry import Severity
from contractkit.lint.reporters.base import ReportOptions

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _data(text: str) -> str:
    # Escaping defined by the runner for a command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    # Property values also end at ',' and ':'.
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    """``::error file=F,line=L,col=C,title=RULE::message (docs-url)``; waived results become notices."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options

    def write(self, report: LintReport, out: TextIO) -> None:
        lines = []
        for result in report.results:
            command = "notice" if result.waived else _COMMANDS[result.severity]
            title = f"{result.rule_id} (waived)" if result.waived else result.rule_id
            message = f"{result.message} ({result.docs_url})"
            if result.waiver is not None:
                message += f" waived until {result.waiver.expires}: {result.waiver.reason}"
            properties = (
                f"file={_property(self.options.path(result.file))},line={result.line},"
                f"col={result.column},title={_property(title)}"
            )
            lines.append(f"::{command} {properties}::{_data(message)}")
        out.writelines(line + "\n" for line in lines)
