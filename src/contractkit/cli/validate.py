"""``contractkit validate``: check contracts against the OpenAPI specification."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contractkit.cli.contracts import contracts_or_exit
from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.policy import RootOption, load_policy
from contractkit.loading import LimitExceeded, UnreadableFile
from contractkit.problems import Problem, display_path


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Contract files or directories (searched for openapi.yaml|yml|json).", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only, no OK lines.")] = False,
    root: RootOption = None,
) -> None:
    """Validate contracts: YAML/JSON syntax, every $ref, and the OpenAPI 3.0/3.1 specification.

    Each problem is printed as `file:line: pointer: message`. Directories are searched
    recursively, skipping shared/ partials and pacts/. Default: contracts/.

    Exit status: 0 all valid, 1 problems found, 2 usage error, unreadable file or a limit reached
    (the CONTRACTKIT_MAX_* environment variables).
    """
    contracts = contracts_or_exit(paths)
    policy = load_policy(root)

    from contractkit.validate import validate_contract  # openapi-spec-validator loads only when needed

    printed: set[Problem] = set()
    failed, unreadable, limited = 0, 0, 0
    for contract in contracts:
        try:
            problems = validate_contract(contract, policy)
        except LimitExceeded as exc:
            typer.echo(exc.problem().format(), err=True)
            limited += 1
            continue
        except UnreadableFile as exc:
            typer.echo(exc.problem().format(), err=True)
            unreadable += 1
            continue
        # Contracts sharing a broken shared file would otherwise repeat its problems.
        for problem in problems:
            if problem not in printed:
                printed.add(problem)
                typer.echo(problem.format())
        if problems:
            failed += 1
        elif not quiet:
            typer.echo(f"OK {display_path(contract)}")

    typer.echo(_summary(len(contracts), failed, unreadable, limited, len(printed)), err=True)
    if unreadable or limited:
        raise typer.Exit(ExitCode.USAGE)
    if failed:
        raise typer.Exit(ExitCode.PROBLEMS)


def _summary(total: int, failed: int, unreadable: int, limited: int, problems: int) -> str:
    parts = [
        f"{total} contract{'s' if total != 1 else ''} checked",
        f"{problems} problem{'s' if problems != 1 else ''}",
    ]
    if failed:
        parts.append(f"{failed} invalid")
    if unreadable:
        parts.append(f"{unreadable} unreadable")
    if limited:
        parts.append(f"{limited} past a limit")
    return ", ".join(parts)
