"""What every reporter shares: the interface, the summary line and how consumer impact is worded."""

from __future__ import annotations

from abc import ABC, abstractmethod

from contractkit.diff.findings import DiffReport, Finding
from contractkit.diff.registry import Level


class Reporter(ABC):
    """Renders a diff report; ``fail_on`` is the level at or above which the run fails (``None``: never)."""

    def __init__(self, fail_on: Level | None) -> None:
        self.fail_on = fail_on

    @abstractmethod
    def render(self, report: DiffReport) -> str:
        """The whole output, ending with a newline."""

    def summary(self, report: DiffReport) -> str:
        """``3 breaking, 1 warning, 12 info in 2 contracts (fail on breaking: failed)``."""
        counts = report.counts()
        contracts = len(report.contracts)
        text = ", ".join(f"{counts[level]} {level.value}" for level in Level)
        text += f" in {contracts} contract{'s' if contracts != 1 else ''}"
        if self.fail_on is None:
            return text + " (fail on never)"
        verdict = "failed" if report.fails(self.fail_on) else "passed"
        return text + f" (fail on {self.fail_on.value}: {verdict})"


def consumer_line(finding: Finding) -> str | None:
    """``breaks backoffice — 'a request for a coupon'``; ``None`` for info findings, which break no one."""
    if finding.level is Level.INFO:
        return None
    if not finding.consumers:
        return "no known consumer"
    verb = "breaks" if finding.level is Level.BREAKING else "may affect"
    return f"{verb} " + "; ".join(str(impact) for impact in finding.consumers)
