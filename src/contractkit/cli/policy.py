"""What every command that loads contracts shares: ``--root``, the ``CONTRACTKIT_MAX_*`` limits, and their errors.

The limits are environment variables rather than options: they are a property of the machine or CI
job a command runs in, set once for every command of it, not of one invocation. This is the only
place that reads them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from contractkit.cli.exit_codes import ExitCode
from contractkit.loading import LimitSettingError, LoadError, LoadPolicy, limits_from_environment

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Folder every file a contract references must lie in (default: the contract's git repository, "
        "else its folder).",
        show_default=False,
    ),
]


def load_policy(root: Path | None) -> LoadPolicy:
    """The policy for ``--root`` and the environment; a bad root or limit setting is a usage error (exit 2)."""
    if root is not None and not root.is_dir():
        raise typer.BadParameter(f"{root} is not a folder", param_hint="--root")
    try:
        limits = limits_from_environment(os.environ)
    except LimitSettingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    return LoadPolicy(root=root, limits=limits)


def stop_on(error: LoadError) -> NoReturn:
    """Print ``error`` as ``file:line: pointer: message`` and end the command with exit code 2."""
    typer.echo(error.problem().format(), err=True)
    raise typer.Exit(ExitCode.USAGE)
