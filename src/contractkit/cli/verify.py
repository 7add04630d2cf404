"""``contractkit verify``: run Schemathesis against a running implementation of a contract."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from contractkit.bundle import BundleError
from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.policy import RootOption, load_policy, stop_on
from contractkit.loading import LoadError
from contractkit.problems import display_path
from contractkit.verify import ALL_PHASES, VerifyOptions


def verify_command(
    contract: Annotated[Path, typer.Argument(help="The contract's root file.", show_default=False)],
    base_url: Annotated[
        str, typer.Option("--base-url", help="Where the implementation runs, e.g. http://127.0.0.1:8000.")
    ],
    token: Annotated[str | None, typer.Option("--token", help="Bearer token for the API.")] = None,
    token_env: Annotated[
        str | None, typer.Option("--token-env", help="Name of an environment variable holding the token.")
    ] = None,
    junit_xml: Annotated[Path | None, typer.Option("--junit-xml", help="Write a JUnit XML report here.")] = None,
    max_examples: Annotated[
        int | None, typer.Option("--max-examples", min=1, help="Test cases per operation and phase.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for reproducible data generation.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Concurrent workers.")] = 1,
    phases: Annotated[str, typer.Option("--phases", help="Comma-separated subset of the phases to run.")] = ",".join(
        ALL_PHASES
    ),
    root: RootOption = None,
) -> None:
    """Verify a running implementation against its contract with Schemathesis.

    Runs every check (all 14) in every phase (examples, coverage, fuzzing, stateful). The token
    goes through each bearer, OAuth2 or OpenID Connect security scheme of the contract, and a
    run where authentication keeps failing (the missing_auth warning) fails.

    One thing a contract may tune: a response marked `x-semantic-rejection: true` declares that
    schema-valid input can still be rejected with that status because of a rule JSON Schema
    cannot express (e.g. a validity window whose end is before its start). For that operation
    only, the positive_data_acceptance check then also accepts that status. Nothing else is
    relaxed.

    Exit status: 0 passed, 1 failures (an unreachable server included), 2 usage error,
    unreadable contract (or one past the CONTRACTKIT_MAX_* limits), or a run Schemathesis could not start.
    """
    selected = [phase.strip() for phase in phases.split(",") if phase.strip()]
    if not selected or any(phase not in ALL_PHASES for phase in selected):
        raise typer.BadParameter(f"choose from {', '.join(ALL_PHASES)}", param_hint="--phases")
    options = VerifyOptions(
        base_url=base_url,
        token=_token(token, token_env),
        junit_xml=junit_xml,
        max_examples=max_examples,
        seed=seed,
        workers=workers,
        phases=tuple(selected),
        policy=load_policy(root),
    )
    try:
        from contractkit.verify import verify  # Schemathesis loads only when a run starts

        result = verify(contract, options, echo=typer.echo)
    except LoadError as exc:
        stop_on(exc)
    except BundleError as exc:
        for problem in exc.problems:
            typer.echo(problem.format(), err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    verdict = "passed" if result.passed else f"FAILED (exit {result.exit_code})"
    typer.echo(f"contractkit verify: {display_path(contract)} {verdict}")
    if not result.passed:
        # Schemathesis uses 2 for "could not start"; any other non-zero code means the run failed.
        raise typer.Exit(ExitCode.USAGE if result.exit_code == ExitCode.USAGE else ExitCode.PROBLEMS)


def _token(token: str | None, token_env: str | None) -> str | None:
    if token is not None and token_env is not None:
        raise typer.BadParameter("give --token or --token-env, not both", param_hint="--token-env")
    if token_env is None:
        return token
    value = os.environ.get(token_env)
    if not value:
        raise typer.BadParameter(f"environment variable {token_env} is not set", param_hint="--token-env")
    return value
