"""``contractkit bundle``: write a contract as one self-contained document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contractkit.bundle import BundleError, bundle, dump
from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.policy import RootOption, load_policy, stop_on
from contractkit.loading import LimitExceeded, ParseFailure, UnreadableFile

STDOUT = "-"


def bundle_command(
    contract: Annotated[Path, typer.Argument(help="The contract's root file.", show_default=False)],
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="Output file (.json for JSON, else YAML); '-' for stdout."),
    ] = STDOUT,
    output_format: Annotated[
        str | None,
        typer.Option("--format", help="yaml or json; overrides the output suffix (useful with stdout)."),
    ] = None,
    root: RootOption = None,
) -> None:
    """Bundle a contract: pull every external $ref into components so one file stands alone.

    Exit status: 0 written, 1 broken or refused refs or unparsable files, 2 usage error, unreadable
    file or a limit reached (the CONTRACTKIT_MAX_* environment variables).
    """
    if output_format not in (None, "yaml", "json"):
        raise typer.BadParameter("must be yaml or json", param_hint="--format")
    policy = load_policy(root)
    try:
        document = bundle(contract, policy)
    except (LimitExceeded, UnreadableFile) as exc:
        stop_on(exc)
    except ParseFailure as exc:
        typer.echo(exc.problem().format(), err=True)
        raise typer.Exit(ExitCode.PROBLEMS) from None
    except BundleError as exc:
        for problem in exc.problems:
            typer.echo(problem.format(), err=True)
        raise typer.Exit(ExitCode.PROBLEMS) from None

    text = dump(document, f"bundle.{output_format}" if output_format else output)
    if output == STDOUT:
        typer.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
