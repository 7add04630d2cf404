"""``contractkit verify``: Schemathesis, then the behavioural kit, against a running implementation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from contractkit.bundle import BundleError, bundle
from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.policy import RootOption, load_policy, stop_on
from contractkit.loading import LoadError, LoadPolicy
from contractkit.problems import display_path
from contractkit.verify import ALL_PHASES, VerifyOptions

if TYPE_CHECKING:
    from contractkit.kit import Credentials, KitOptions, PromiseResult

_KIT = "Behavioural kit"
_CREDENTIALS = "Kit credentials"


def verify_command(
    contract: Annotated[Path, typer.Argument(help="The contract's root file.", show_default=False)],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Where the implementation runs, e.g. http://127.0.0.1:8000 (required unless --write-config).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None, typer.Option("--token", help="Bearer token for Schemathesis (and the kit, if nothing else).")
    ] = None,
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
    kit: Annotated[
        bool, typer.Option("--kit/--no-kit", help="Check the contract's behavioural promises.", rich_help_panel=_KIT)
    ] = True,
    kit_only: Annotated[
        bool, typer.Option("--kit-only", help="Skip the Schemathesis phases.", rich_help_panel=_KIT)
    ] = False,
    promise: Annotated[
        list[str] | None,
        typer.Option(
            "--promise", help="Check only these promise ids (repeat or comma-separate).", rich_help_panel=_KIT
        ),
    ] = None,
    expected_failures: Annotated[
        Path | None,
        typer.Option(
            "--expected-failures",
            help="YAML of `PROMISE-ID: reason` your implementation knows it breaks.",
            rich_help_panel=_KIT,
        ),
    ] = None,
    burst: Annotated[
        int, typer.Option("--burst", min=2, help="Simultaneous requests per concurrency promise.", rich_help_panel=_KIT)
    ] = 200,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for any answer.", rich_help_panel=_KIT)
    ] = 30.0,
    jwt_secret: Annotated[
        str | None,
        typer.Option(
            "--jwt-secret",
            envvar="CONTRACTKIT_JWT_SECRET",
            help="HS256 secret the implementation trusts.",
            rich_help_panel=_CREDENTIALS,
        ),
    ] = None,
    jwt_private_key: Annotated[
        Path | None,
        typer.Option(
            "--jwt-private-key",
            envvar="CONTRACTKIT_JWT_PRIVATE_KEY",
            help="PEM private key whose public key the implementation trusts.",
            rich_help_panel=_CREDENTIALS,
        ),
    ] = None,
    jwt_algorithm: Annotated[
        str | None,
        typer.Option(
            "--jwt-algorithm",
            help="Signing algorithm (default HS256 with a secret, RS256 with a key).",
            rich_help_panel=_CREDENTIALS,
        ),
    ] = None,
    jwt_key_id: Annotated[
        str | None,
        typer.Option(
            "--jwt-key-id",
            envvar="CONTRACTKIT_JWT_KEY_ID",
            help="`kid` header (for JWKS).",
            rich_help_panel=_CREDENTIALS,
        ),
    ] = None,
    jwt_issuer: Annotated[
        str | None,
        typer.Option(
            "--jwt-issuer",
            envvar="CONTRACTKIT_JWT_ISSUER",
            help="`iss` the implementation expects.",
            rich_help_panel=_CREDENTIALS,
        ),
    ] = None,
    jwt_audience: Annotated[
        str | None,
        typer.Option(
            "--jwt-audience",
            envvar="CONTRACTKIT_JWT_AUDIENCE",
            help="`aud` the implementation expects.",
            rich_help_panel=_CREDENTIALS,
        ),
    ] = None,
    token_command: Annotated[
        str | None,
        typer.Option(
            "--token-command",
            envvar="CONTRACTKIT_TOKEN_COMMAND",
            help="Command printing a token; {scopes} and {subject} are filled in.",
            rich_help_panel=_CREDENTIALS,
        ),
    ] = None,
    write_config: Annotated[
        Path | None,
        typer.Option(
            "--write-config",
            help="Write the Schemathesis half as a schemathesis.toml for plain `st run` ('-' for stdout); run nothing.",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Verify a running implementation against its contract: its shapes, then its promises.

    First Schemathesis runs every check (all 14) in every phase (examples, coverage, fuzzing,
    stateful); a run where authentication keeps failing fails. A response marked
    `x-semantic-rejection: true` lets positive_data_acceptance accept that status for that
    operation only; nothing else is relaxed.

    Then the behavioural kit checks the contract's promises black-box: the auth matrix,
    idempotency, limits under concurrency, state machines, money rules, HTTP semantics and
    hostile input. It makes its own data under a random run id and needs credentials: the
    implementation's signing key (`--jwt-secret` or `--jwt-private-key` with `--jwt-issuer` and
    `--jwt-audience`, which mints every token the auth matrix needs), or a `--token-command`,
    or at least `--token` (checks that need other tokens are then skipped, never passed).

    `--write-config FILE` writes, instead, the same Schemathesis configuration (checks, phases,
    the contract's relaxations, --base-url, --max-examples, --seed, --workers, --junit-xml) as a
    `schemathesis.toml`, so plain `st --config-file FILE run CONTRACT` checks what verify checks.
    The token is never written: the file reads it from the environment variable --token-env names
    (CONTRACTKIT_TOKEN by default). The kit's options do not apply.

    Exit status: 0 passed, 1 failures (an unreachable server included), 2 usage error,
    unreadable contract (or one past the CONTRACTKIT_MAX_* limits), or a run Schemathesis could not start.
    """
    from contractkit.kit import CredentialsError
    from contractkit.kit.configure import KitSetupError, kit_credentials, kit_options

    selected = [phase.strip() for phase in phases.split(",") if phase.strip()]
    if not selected or any(phase not in ALL_PHASES for phase in selected):
        raise typer.BadParameter(f"choose from {', '.join(ALL_PHASES)}", param_hint="--phases")
    if write_config is not None:
        if token is not None:
            raise typer.BadParameter(
                "a written configuration never holds a token: put it in an environment variable and name that "
                "variable with --token-env",
                param_hint="--token",
            )
        written = VerifyOptions(
            base_url=base_url or "",
            junit_xml=junit_xml,
            max_examples=max_examples,
            seed=seed,
            workers=workers,
            phases=tuple(selected),
        )
        _write_config(contract, write_config, written, token_env, load_policy(root))
        return
    if base_url is None:
        raise typer.BadParameter(
            "say where the implementation runs (or pass --write-config FILE)", param_hint="--base-url"
        )
    if kit_only and not kit:
        raise typer.BadParameter("--kit-only and --no-kit leave nothing to run", param_hint="--kit-only")
    fixed_token = _token(token, token_env)
    policy = load_policy(root)
    document = _bundled(contract, policy)
    try:
        credentials = kit_credentials(
            jwt_secret=jwt_secret,
            jwt_private_key=jwt_private_key,
            jwt_algorithm=jwt_algorithm,
            jwt_key_id=jwt_key_id,
            jwt_issuer=jwt_issuer,
            jwt_audience=jwt_audience,
            token_command=token_command,
            token=fixed_token,
        )
        options = kit_options(
            document,
            base_url=base_url,
            burst=burst,
            timeout=timeout,
            promises=promise or [],
            expected_failures=expected_failures,
            seed=seed,
        )
        if fixed_token is None and credentials is not None and not kit_only:
            fixed_token = credentials.token(_all_scopes(document), "contractkit-verify")
    except (KitSetupError, CredentialsError) as exc:
        raise typer.BadParameter(str(exc)) from None
    if kit and credentials is None:
        raise typer.BadParameter(
            "the behavioural kit needs credentials: --jwt-secret or --jwt-private-key (with --jwt-issuer and "
            "--jwt-audience), --token-command, or --token; or pass --no-kit",
        )
    reasons = []
    if not kit_only:
        exit_code = _schemathesis(
            contract, base_url, fixed_token, junit_xml, max_examples, seed, workers, selected, policy
        )
        if exit_code != 0:
            reasons.append(f"Schemathesis exit {exit_code}")
    if kit:
        assert credentials is not None
        broken = _kit(document, options, credentials, junit_xml)
        if broken:
            reasons.append(f"{broken} promise{'s' if broken > 1 else ''} broken")
    verdict = f"FAILED ({'; '.join(reasons)})" if reasons else "passed"
    typer.echo(f"contractkit verify: {display_path(contract)} {verdict}")
    if reasons:
        raise typer.Exit(ExitCode.PROBLEMS)


def _write_config(
    contract: Path, target: Path, options: VerifyOptions, token_env: str | None, policy: LoadPolicy
) -> None:
    """Write the schemathesis.toml of `contract` to `target` (stdout for '-')."""
    from contractkit.verify.toml_config import TOKEN_VARIABLE, schemathesis_toml

    variable = token_env or TOKEN_VARIABLE
    text = schemathesis_toml(_bundled(contract, policy), display_path(contract), options, variable)
    if str(target) == "-":
        typer.echo(text, nl=False)
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot write {target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    url = "" if options.base_url else " --url BASE_URL"
    typer.echo(f"Wrote {display_path(target)}; run: {variable}=<token> st --config-file {target} run {contract}{url}")


def _bundled(contract: Path, policy: LoadPolicy) -> dict[str, Any]:
    try:
        return bundle(contract, policy)
    except LoadError as exc:
        stop_on(exc)
    except BundleError as exc:
        for problem in exc.problems:
            typer.echo(problem.format(), err=True)
        raise typer.Exit(ExitCode.USAGE) from None


def _all_scopes(document: dict[str, Any]) -> tuple[str, ...]:
    from contractkit.operations import OperationIndex

    return OperationIndex(document).scopes


def _schemathesis(
    contract: Path,
    base_url: str,
    token: str | None,
    junit_xml: Path | None,
    max_examples: int | None,
    seed: int | None,
    workers: int,
    phases: list[str],
    policy: LoadPolicy,
) -> int:
    from contractkit.verify import verify  # Schemathesis loads only when a run starts

    options = VerifyOptions(
        base_url=base_url,
        token=token,
        junit_xml=junit_xml,
        max_examples=max_examples,
        seed=seed,
        workers=workers,
        phases=tuple(phases),
        policy=policy,
    )
    try:
        result = verify(contract, options, echo=typer.echo)
    except LoadError as exc:
        stop_on(exc)
    except BundleError as exc:
        for problem in exc.problems:
            typer.echo(problem.format(), err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    if result.exit_code == ExitCode.USAGE:
        # Schemathesis uses 2 for "could not start"
        typer.echo(f"contractkit verify: {display_path(contract)}: Schemathesis could not start")
        raise typer.Exit(ExitCode.USAGE)
    return result.exit_code


def _kit(document: dict[str, Any], options: KitOptions, credentials: Credentials, junit_xml: Path | None) -> int:
    """Run the kit, print and record its results; how many promises fail the run."""
    import asyncio  # only verify runs an event loop; importing asyncio costs every other command start-up time

    from contractkit.kit import result_lines, run_kit, summary_lines, write_junit

    typer.echo(f"Behavioural kit: {options.base_url}, {credentials.description}")

    def show(result: PromiseResult) -> None:
        for line in result_lines(result):
            typer.echo(line)

    report = asyncio.run(run_kit(document, options, credentials, on_result=show))
    for line in summary_lines(report):
        typer.echo(line)
    if junit_xml is not None and report.results:
        write_junit(report, junit_xml)
    return sum(1 for result in report.results if result.fails_run)


def _token(token: str | None, token_env: str | None) -> str | None:
    if token is not None and token_env is not None:
        raise typer.BadParameter("give --token or --token-env, not both", param_hint="--token-env")
    if token_env is None:
        return token
    value = os.environ.get(token_env)
    if not value:
        raise typer.BadParameter(f"environment variable {token_env} is not set", param_hint="--token-env")
    return value
