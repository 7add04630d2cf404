"""``contractkit can-i-deploy`` and ``contractkit pacts ...``: the Pact Broker's questions, from the repository."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contractkit.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from contractkit.pacts import Row

ContractsOption = Annotated[
    Path, typer.Option("--contracts", help="The contracts folder (its pacts/ holds the pacts and the records).")
]
FormatOption = Annotated[str, typer.Option("--format", help="text or json.")]

pacts_app = typer.Typer(
    name="pacts",
    help="Pact verification records, deployments and the compatibility matrix, kept in the repository.",
    no_args_is_help=True,
)


def _where(contracts: Path) -> tuple[Path, str]:
    """The repository and the contracts folder relative to it; exits 2 outside a git repository."""
    from contractkit.pacts import VersionError, repository_of

    start = contracts if contracts.is_dir() else Path.cwd()
    try:
        repository = repository_of(start)
    except VersionError as exc:
        typer.echo(f"error: {contracts}: not in a git repository ({exc})", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    relative = Path(contracts.resolve()).relative_to(repository.resolve()) if contracts.is_absolute() else contracts
    return repository, relative.as_posix()


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Turn what the records or git refuse (an unknown version, an unreadable record) into exit code 2."""
    from contractkit.pacts import VersionError

    try:
        yield
    except (VersionError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]
    lines = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("-|-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


# The Pact Broker's matrix columns.
_MATRIX_HEADERS = ["CONSUMER", "C.VERSION", "PROVIDER", "P.VERSION", "SUCCESS?", "VERIFIED"]


def _cells(row: Row) -> list[str]:
    """A row under the matrix columns; an integration never verified shows `???`, as the Broker does."""
    success = "???" if row.success is None else str(row.success).lower()
    return [row.consumer, row.consumer_version, row.provider, row.provider_version, success, row.verified_at or ""]


def can_i_deploy_command(
    pacticipant: Annotated[str, typer.Argument(help="The application to deploy, as its pacts name it.")],
    version: Annotated[
        str,
        typer.Option("--version", help="A git revision (HEAD, a commit, a tag), a contract version, or WORKTREE."),
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", "--to-environment", help="Check against the versions recorded in this environment."),
    ] = None,
    contracts: ContractsOption = Path("contracts"),
    output_format: FormatOption = "text",
) -> None:
    """Whether PACTICIPANT at --version may be deployed, from the verifications recorded in the repository.

    Every pact it takes part in must have a successful verification against the version of the other side
    it will meet: the same repository version, or with --to the version recorded as deployed there.

    Exit status: 0 deployable, 1 not deployable (the reasons are printed), 2 usage error or unknown version.
    """
    from contractkit.pacts import can_i_deploy

    repository, folder = _where(contracts)
    with _usage_errors():
        decision = can_i_deploy(repository, folder, pacticipant, version, to)
    if output_format == "json":
        typer.echo(json.dumps(asdict(decision), indent=2))
    else:
        verdict = "Computer says yes \\o/" if decision.deployable else "Computer says no ¯\\_(ツ)_/¯"
        typer.echo(verdict + "\n")
        if decision.rows:
            typer.echo(_table(_MATRIX_HEADERS, [_cells(row) for row in decision.rows]) + "\n")
        for line in (*decision.reasons, *decision.notes):
            typer.echo(line)
    raise typer.Exit(ExitCode.OK if decision.deployable else ExitCode.PROBLEMS)


@pacts_app.command("matrix")
def matrix_command(
    pacticipant: Annotated[
        str | None, typer.Option("--pacticipant", help="Only the verifications this application takes part in.")
    ] = None,
    contracts: ContractsOption = Path("contracts"),
    output_format: FormatOption = "text",
) -> None:
    """Print the compatibility matrix: every recorded verification, and whether it matches the working tree."""
    from contractkit.pacts import matrix

    repository, folder = _where(contracts)
    with _usage_errors():
        rows = matrix(repository, folder, pacticipant)
    if output_format == "json":
        typer.echo(json.dumps([asdict(row) for row in rows], indent=2))
        return
    if not rows:
        typer.echo("No verifications recorded.")
        return
    typer.echo(_table([*_MATRIX_HEADERS, "CONTENT"], [[*_cells(row), row.reason] for row in rows]))


@pacts_app.command("record-verification")
def record_verification_command(
    consumer: Annotated[str, typer.Option("--consumer", help="The pact's consumer.")],
    provider: Annotated[str, typer.Option("--provider", help="The provider that replayed it.")],
    success: Annotated[bool, typer.Option("--success/--failure", help="Whether every interaction passed.")],
    contracts: ContractsOption = Path("contracts"),
) -> None:
    """Record a provider's verification of a pact against the working tree (run it after the provider test)."""
    from contractkit.pacts import record

    repository, folder = _where(contracts)
    with _usage_errors():
        changed = record(repository, folder, consumer, provider, success)
    typer.echo("recorded" if changed else "already recorded with this result")


@pacts_app.command("record-deployment")
def record_deployment_command(
    pacticipant: Annotated[str, typer.Argument(help="The application that was deployed.")],
    version: Annotated[str, typer.Option("--version", help="The git revision or contract version deployed.")],
    environment: Annotated[str, typer.Option("--environment", help="Where it was deployed (e.g. production).")],
    contracts: ContractsOption = Path("contracts"),
) -> None:
    """Record that PACTICIPANT's --version now runs in --environment (can-i-deploy --to reads it)."""
    from contractkit.pacts import Deployment, record_deployment, resolve
    from contractkit.pacts.records import now

    repository, folder = _where(contracts)
    with _usage_errors():
        snapshot = resolve(repository, folder, pacticipant, version)
    if snapshot.commit is None:
        typer.echo("error: a deployment is of a commit, not of the working tree", err=True)
        raise typer.Exit(ExitCode.USAGE)
    deployment = Deployment(environment, pacticipant, snapshot.commit, snapshot.contract_version(pacticipant), now())
    changed = record_deployment(repository / folder / "pacts", deployment)
    typer.echo(f"{pacticipant} {snapshot.label} in {environment}" + ("" if changed else " (already recorded)"))
