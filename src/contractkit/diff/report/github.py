"""GitHub Actions workflow commands: one annotation per finding on the revision's file and line."""

from __future__ import annotations

from contractkit.diff.findings import DiffReport, Finding, Location
from contractkit.diff.registry import Level
from contractkit.diff.report.base import Reporter, consumer_line

_COMMANDS = {Level.BREAKING: "error", Level.WARNING: "warning", Level.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _anchor(finding: Finding) -> Location | None:
    # Annotations attach to files of the checked-out revision; a base side read from git (`REF:path`) has none.
    for location in (finding.revision, finding.base):
        if location is not None and ":" not in location.file:
            return location
    return None


class GithubReporter(Reporter):
    """``::error file=...,line=...,title=...::message`` lines, then the summary as a notice."""

    def render(self, report: DiffReport) -> str:
        lines = []
        for finding in report.findings:
            where = _anchor(finding)
            properties = [f"file={_property(where.file)}", f"line={where.line}"] if where else []
            title = f"{finding.check.id} ({finding.level.value})" + (
                f" {finding.operation}" if finding.operation else ""
            )
            properties.append(f"title={_property(title)}")
            consumers = consumer_line(finding)
            message = finding.message + (f"\n{consumers}" if consumers else "")
            lines.append(f"::{_COMMANDS[finding.level]} {','.join(properties)}::{_data(message)}")
        lines.append(f"::notice title=contractkit diff::{_data(self.summary(report))}")
        return "\n".join(lines) + "\n"
