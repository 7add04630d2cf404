"""``contractkit diff``: breaking-change review of contracts, with the consumers each change affects."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contractkit.cli.collector import collector_paused
from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.policy import RootOption, load_policy, stop_on
from contractkit.loading import LoadError

if TYPE_CHECKING:
    from contractkit.diff import DiffOptions, DiffReport

_FAIL_ON = ("breaking", "warning", "never")


def diff_command(
    base: Annotated[
        str | None,
        typer.Argument(help="Base contract: a file or REF:PATH (e.g. origin/main:contracts/x/openapi.yaml)."),
    ] = None,
    revision: Annotated[str | None, typer.Argument(help="Revision contract: a file or REF:PATH.")] = None,
    git_base: Annotated[
        str | None,
        typer.Option("--git-base", help="Compare every contract under --contracts that differs from this git ref."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text, markdown, json, github (annotations) or junit.")
    ] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here, not to stdout.")] = None,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Exit 1 when a finding is at least this level: breaking, warning, never.")
    ] = "breaking",
    pacts: Annotated[Path, typer.Option("--pacts", help="Folder of consumer pacts for consumer impact.")] = Path(
        "contracts/pacts"
    ),
    contracts: Annotated[Path, typer.Option("--contracts", help="Where --git-base looks for contracts.")] = Path(
        "contracts"
    ),
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge x-sunset dates as of this day (YYYY-MM-DD), not today.")
    ] = None,
    root: RootOption = None,
) -> None:
    """Report what changed between two versions of a contract, how much it matters, and which consumers it breaks.

    A client written against BASE must keep working against REVISION: every finding has a check ID, a
    level (breaking, warning, info), the operation, both locations and, for breaking changes and warnings,
    the consumer interactions from the pacts that exercise it.

    Exit status: 0 nothing at or above --fail-on, 1 something is, 2 usage error, unreadable input or a
    limit reached (the CONTRACTKIT_MAX_* environment variables).
    """
    # Imported here, like every command's library: `contractkit lint` need not load the diff.
    from contractkit.diff import DiffOptions, Level
    from contractkit.diff.report import REPORTERS

    if output_format not in REPORTERS:
        raise typer.BadParameter(f"choose from {', '.join(REPORTERS)}", param_hint="--format")
    if fail_on not in _FAIL_ON:
        raise typer.BadParameter(f"choose from {', '.join(_FAIL_ON)}", param_hint="--fail-on")
    if (git_base is None) == (base is None) or (base is None) != (revision is None):
        raise typer.BadParameter("give BASE and REVISION, or --git-base REF (not both)")
    options = DiffOptions(today=_day(as_of) or DiffOptions().today, pacts=pacts, policy=load_policy(root))
    with collector_paused():
        report = _run(base, revision, git_base, contracts, options)
    threshold = {"breaking": Level.BREAKING, "warning": Level.WARNING, "never": None}[fail_on]
    reporter = REPORTERS[output_format](threshold)
    text = reporter.render(report)
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            typer.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
            raise typer.Exit(ExitCode.USAGE) from None
        typer.echo(reporter.summary(report), err=True)
    if report.fails(threshold):
        raise typer.Exit(ExitCode.PROBLEMS)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("expected a date such as 2026-06-30", param_hint="--as-of") from None


def _run(
    base: str | None, revision: str | None, git_base: str | None, contracts: Path, options: DiffOptions
) -> DiffReport:
    from contractkit.diff import GitError, diff_contracts, diff_git

    try:
        if git_base is not None:
            return diff_git(git_base, contracts, options)
        return diff_contracts(str(base), str(revision), options)
    except LoadError as exc:
        stop_on(exc)
    except GitError as exc:
        typer.echo(f"error: git: {exc}", err=True)
    raise typer.Exit(ExitCode.USAGE)
