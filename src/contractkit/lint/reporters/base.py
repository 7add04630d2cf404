"""What every reporter is given and must provide."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from contractkit.lint.engine import LintReport
from contractkit.lint.registry import Severity
from contractkit.problems import display_path


@dataclass(frozen=True)
class ReportOptions:
    """Choices that change what a report says: the failure threshold and the directory paths are shown from."""

    fail_on: Severity = Severity.ERROR
    relative_to: Path = field(default_factory=Path.cwd)
    # Results name a handful of files tens of thousands of times; each is shown the same way. Keyed by the
    # path's text: equal Path objects that are not the same object compare through a Python method.
    _shown: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def path(self, file: Path) -> str:
        """``file`` as shown in reports: relative to ``relative_to`` when below it, with forward slashes."""
        key = str(file)
        shown = self._shown.get(key)
        if shown is None:
            shown = self._shown[key] = display_path(file, self.relative_to).replace("\\", "/")
        return shown


class Reporter(Protocol):
    """Writes a report in one format."""

    def __init__(self, options: ReportOptions) -> None: ...

    def write(self, report: LintReport, out: TextIO) -> None:
        """Write the whole report to ``out`` (streamed: a big document's report is tens of megabytes)."""
        ...


def render(reporter: Reporter, report: LintReport) -> str:
    """The report as one string (for tests and small reports)."""
    buffer = io.StringIO()
    reporter.write(report, buffer)
    return buffer.getvalue()
