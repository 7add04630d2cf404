"""The contracts a command works on, from the paths on its command line (default `contracts/`)."""

from __future__ import annotations

from pathlib import Path

import typer

from contractkit.cli.exit_codes import ExitCode
from contractkit.discovery import find_contracts

DEFAULT_PATHS = (Path("contracts"),)


def contracts_or_exit(paths: list[Path] | None) -> list[Path]:
    """Every contract under `paths`; a missing path or an empty result is a usage error (exit 2)."""
    named = paths or list(DEFAULT_PATHS)
    try:
        contracts = find_contracts(named)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    if not contracts:
        typer.echo(f"error: no contracts found in {', '.join(map(str, named))}", err=True)
        raise typer.Exit(ExitCode.USAGE)
    return contracts
