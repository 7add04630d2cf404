"""``contractkit mock``: serve a mock of a contract for its consumers, before or beside the provider."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.policy import RootOption, load_policy, stop_on
from contractkit.problems import display_path

_AUTH = "Tokens"


def mock_command(
    contract: Annotated[Path, typer.Argument(help="The contract's root file.", show_default=False)],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 4010,
    remember: Annotated[
        bool,
        typer.Option("--remember/--stateless", help="Remember what creates made, so later reads return it."),
    ] = True,
    problem_base_uri: Annotated[
        str | None, typer.Option("--problem-base-uri", help="Start of every problem `type` URI.")
    ] = None,
    jwt_secret: Annotated[
        str | None,
        typer.Option(
            "--jwt-secret",
            envvar="CONTRACTKIT_JWT_SECRET",
            help="Accept only HS256 tokens signed with this secret (else any well-formed token).",
            rich_help_panel=_AUTH,
        ),
    ] = None,
    jwt_issuer: Annotated[
        str | None,
        typer.Option(
            "--jwt-issuer", envvar="CONTRACTKIT_JWT_ISSUER", help="`iss` tokens must carry.", rich_help_panel=_AUTH
        ),
    ] = None,
    jwt_audience: Annotated[
        str | None,
        typer.Option(
            "--jwt-audience", envvar="CONTRACTKIT_JWT_AUDIENCE", help="`aud` tokens must carry.", rich_help_panel=_AUTH
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Serve a mock of a contract: the services' own request checks, then the contract's examples.

    A request is checked exactly as the services check it, by the same code: 401/403 for the token and
    its scopes, 400, 415, 422 (with `errors[]`) and 428 for what the operation accepts, 404 and 405 for
    paths and methods, 413 for a body over 64 KiB. An accepted request gets the answer a `Prefer` header names
    (`Prefer: code=409`, `Prefer: example=belowMinimum`), else the first documented success with its
    first example, or a value built from the schema when the contract shows none.

    With `--remember` (the default) what a create made is kept, when the contract links the create to
    a read of the same schema: reads, changes, state transitions, deletes and lists then see it.

    Tokens: any well-formed bearer token passes; a JWT's `exp` is checked, and its `scope` claim, when
    it has one, is held to each operation's scopes (403). With `--jwt-secret`, `--jwt-issuer` and
    `--jwt-audience`, only tokens signed with the secret pass, as a service configured so checks them.

    It serves until interrupted (Ctrl-C, SIGTERM). Exit status 2: usage error, unreadable contract
    (or one past the CONTRACTKIT_MAX_* limits).
    """
    from contractkit.bundle import BundleError, bundle
    from contractkit.loading import LoadError
    from contractkit.mock import AnyWellFormedToken, MockTokenSettings, create_mock_app, serve_mock
    from contractkit.operations import OperationIndex
    from contractkit.server.auth import BearerVerifier, TokenVerifier
    from contractkit.server.problem_details import CATALOGUE_BASE_URI

    policy = load_policy(root)
    try:
        document = bundle(contract, policy)
    except LoadError as exc:
        stop_on(exc)
    except BundleError as exc:
        for problem in exc.problems:
            typer.echo(problem.format(), err=True)
        raise typer.Exit(ExitCode.USAGE) from None
    index = OperationIndex(document)
    verifier: BearerVerifier
    if jwt_secret is not None:
        if jwt_issuer is None or jwt_audience is None:
            raise typer.BadParameter("--jwt-secret needs --jwt-issuer and --jwt-audience", param_hint="--jwt-secret")
        verifier = TokenVerifier(MockTokenSettings(hs256_secret=jwt_secret, issuer=jwt_issuer, audience=jwt_audience))
        tokens = f"HS256 tokens of issuer {jwt_issuer!r} for audience {jwt_audience!r}"
    else:
        verifier = AnyWellFormedToken(frozenset(index.scopes))
        tokens = "any well-formed bearer token"
    app = create_mock_app(
        document, verifier, remember=remember, problem_base_uri=problem_base_uri or CATALOGUE_BASE_URI
    )
    typer.echo(
        f"Mocking {display_path(contract)}: {len(index.operations)} operations at http://{host}:{port} "
        f"({tokens}; {'remembering creates' if remember else 'stateless'})"
    )
    serve_mock(app, host, port)
