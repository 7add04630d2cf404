"""``contractkit lint``: check contracts against the API guideline's rules."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from contractkit.cli.collector import collector_paused
from contractkit.cli.contracts import contracts_or_exit
from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.policy import RootOption, load_policy, stop_on
from contractkit.loading import LoadError


class OutputFormat(StrEnum):
    """Report formats."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"


class FailOn(StrEnum):
    """The lowest severity that fails the run."""

    ERROR = "error"
    WARNING = "warning"


def lint_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Contract files or directories (searched for openapi.yaml|yml|json).", show_default=False),
    ] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.TEXT,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here, not stdout.")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Lowest severity that fails the run.")] = FailOn.ERROR,
    waivers: Annotated[
        Path | None, typer.Option("--waivers", help="Waivers file (default: nearest waivers.yaml above each contract).")
    ] = None,
    no_waivers: Annotated[bool, typer.Option("--no-waivers", help="Apply no waivers at all.")] = False,
    root: RootOption = None,
) -> None:
    """Lint contracts against the API guideline (rules DSL-1xx to DSL-7xx), following $refs into shared files.

    Each finding has its rule id, severity (MUST rules are errors, SHOULD rules warnings), message,
    file, line and column where the node is written (also inside shared files), JSON pointer and
    the rule's docs URL. Findings accepted in waivers.yaml are reported as waived; an expired
    waiver is an error, one that matches nothing a warning. Directories are searched recursively,
    skipping shared/ and pacts/. Default: contracts/.

    Exit status: 0 no finding at or above --fail-on, 1 findings at or above --fail-on, 2 usage error,
    unreadable input (a contract or waivers file that cannot be read or parsed) or a limit reached
    (the CONTRACTKIT_MAX_* environment variables).
    """
    contracts = contracts_or_exit(paths)
    policy = load_policy(root)
    # Imported here, like every command's library: `contractkit diff` need not load the linter.
    from contractkit.lint import LintRequest, Severity, lint

    request = LintRequest(
        contracts=contracts,
        output_format=output_format.value,
        fail_on=Severity(fail_on.value),
        waivers_file=waivers,
        use_waivers=not no_waivers,
        policy=policy,
    )
    try:
        with collector_paused():
            outcome = lint(request)
    except LoadError as exc:
        stop_on(exc)
    if output is None:
        outcome.write(sys.stdout)
        sys.stdout.flush()
    else:
        try:
            with output.open("w", encoding="utf-8") as stream:
                outcome.write(stream)
        except OSError as exc:
            typer.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
            raise typer.Exit(ExitCode.USAGE) from None
    typer.echo(outcome.summary, err=True)
    if outcome.failed:
        raise typer.Exit(ExitCode.PROBLEMS)
