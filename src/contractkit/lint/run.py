"""One lint run as the command line asks for it: contracts in, rendered report and verdict out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from contractkit.lint.engine import LintReport, lint_contracts
from contractkit.lint.registry import Severity
from contractkit.lint.reporters import REPORTERS, Reporter, ReportOptions, render
from contractkit.lint.waivers import Waiver, find_waivers_file, load_waivers
from contractkit.loading import LoadPolicy


@dataclass(frozen=True, slots=True)
class LintRequest:
    """What to lint and how to report it."""

    contracts: Sequence[Path]
    output_format: str = "text"
    fail_on: Severity = Severity.ERROR
    # An explicit waivers file; without one, the nearest waivers.yaml above each contract is used.
    waivers_file: Path | None = None
    use_waivers: bool = True
    today: date | None = None
    relative_to: Path = field(default_factory=Path.cwd)
    # The root files must stay in and the limits; waivers files are read under the same policy.
    policy: LoadPolicy = field(default_factory=LoadPolicy)


@dataclass(frozen=True, slots=True)
class LintOutcome:
    """The report with its reporter, the one-line summary and whether the run fails."""

    report: LintReport
    reporter: Reporter
    summary: str
    failed: bool

    def write(self, out: TextIO) -> None:
        """Write the report in the requested format."""
        self.reporter.write(self.report, out)

    def text(self) -> str:
        """The report as a string."""
        return render(self.reporter, self.report)


def collect_waivers(request: LintRequest) -> list[Waiver]:
    """The waivers that apply to the request; raises :class:`~contractkit.loading.LoadError` for a bad file."""
    if not request.use_waivers:
        return []
    policy = request.policy
    if request.waivers_file is not None:
        return load_waivers(request.waivers_file, policy)
    files = dict.fromkeys(
        found
        for contract in request.contracts
        if (found := find_waivers_file(contract, policy.boundary_for(contract).root))
    )
    return [waiver for file in files for waiver in load_waivers(file, policy)]


def lint(request: LintRequest) -> LintOutcome:
    """Lint the contracts and apply waivers; raises ``LoadError`` for unreadable input."""
    if request.output_format not in REPORTERS:
        raise ValueError(f"unknown format {request.output_format!r}; choose from {', '.join(REPORTERS)}")
    report = lint_contracts(request.contracts, collect_waivers(request), request.today, policy=request.policy)
    options = ReportOptions(fail_on=request.fail_on, relative_to=request.relative_to)
    reporter = REPORTERS[request.output_format](options)
    return LintOutcome(report, reporter, summarize(report), report.fails(request.fail_on))


def summarize(report: LintReport) -> str:
    """``2 contracts linted: 0 errors, 1 warning, 5 waived``."""
    severities = report.severities()
    errors, warnings = severities[Severity.ERROR], severities[Severity.WARNING]
    waived = len(report.results) - severities.total()
    contracts = len(report.contracts)

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    return (
        f"{plural(contracts, 'contract')} linted: {plural(errors, 'error')}, {plural(warnings, 'warning')}, "
        f"{waived} waived"
    )
