"""`dataservices`: run, migrate and authenticate against the reference data services.

dataservices serve coupon [--host 127.0.0.1] [--port 8081] [--workers N] [--demo]
dataservices migrate coupon
dataservices token --scope coupon:read --scope coupon:write [--subject S] [--ttl SECONDS]
dataservices pg up|status|down [--directory var/postgres]
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from dataservices.common.auth import issue_development_token
from dataservices.common.migrate import upgrade
from dataservices.common.observability import configure_logging
from dataservices.common.settings import AuthSettings, ServiceSettings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


class ServiceName(StrEnum):
    coupon = "coupon"


def _settings_class(service: ServiceName) -> type[ServiceSettings]:
    from dataservices.coupon.settings import CouponSettings

    classes: dict[ServiceName, type[ServiceSettings]] = {ServiceName.coupon: CouponSettings}
    return classes[service]


@app.command()
def migrate(service: ServiceName) -> None:
    """Apply the service's migrations to its database."""
    from dataservices.coupon.settings import CouponSettings

    url = CouponSettings().resolved_database_url()
    upgrade(service.value, url)
    typer.echo(f"{service.value}: migrated {url}")


@app.command()
def serve(
    service: ServiceName,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo coupons and print how to call the service.")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (see the operations guide).")] = 1,
) -> None:
    """Migrate the database, then serve the service's contract over HTTP."""
    from dataservices.common.serving import server_options
    from dataservices.coupon.settings import CouponSettings

    settings = CouponSettings()
    host = host or settings.host
    port = port or settings.port
    configure_logging(settings.log_level)
    upgrade(service.value, settings.resolved_database_url())
    if demo:
        from dataservices.coupon.demo import load_demo_data, usage_banner

        asyncio.run(load_demo_data(settings))
        typer.echo(usage_banner(host, port, AuthSettings()))
    # Each worker process builds its app from the same environment.
    app_factory = "dataservices.coupon.app:served_app"
    uvicorn.run(app_factory, factory=True, host=host, port=port, workers=workers, **server_options())


@app.command()
def token(
    scope: Annotated[list[str], typer.Option("--scope", help="A scope to grant; repeat for several.")],
    subject: Annotated[str, typer.Option(help="The client id the token names.")] = "development-client",
    ttl: Annotated[int, typer.Option(help="Seconds until the token expires.")] = 3600,
) -> None:
    """Print a development JWT that services started with the same environment accept."""
    scopes = [part for value in scope for part in value.split()]
    typer.echo(issue_development_token(AuthSettings(), scopes, subject=subject, ttl_seconds=ttl))


pg = typer.Typer(
    no_args_is_help=True,
    help="A local PostgreSQL 15 primary with a streaming replica, to run the services on PostgreSQL.",
)
app.add_typer(pg, name="pg")
PgDirectory = Annotated[Path, typer.Option(help="Where the servers keep their data, logs and ports.")]
PG_DIRECTORY = Path("var/postgres")


@pg.command("up")
def pg_up(
    service: Annotated[
        list[ServiceName] | None,
        typer.Option("--service", help="A service to create a database for; repeat for several (default: all)."),
    ] = None,
    directory: PgDirectory = PG_DIRECTORY,
) -> None:
    """Start the pair (or restart the one there), create a database per service, print the variables to export.

    The servers keep running after the command exits; `dataservices pg down` stops them. Only the
    `export` lines go to standard output, so `eval "$(dataservices pg up)"` sets them in a shell.
    """
    from dataservices.pgpair import PostgresError
    from dataservices.pgpair.local import bring_up

    services = service or list(ServiceName)
    try:
        pair, started = bring_up(directory, [name.value for name in services])
    except PostgresError as exc:
        typer.echo(f"pg up: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"PostgreSQL {pair.primary.binaries.version} {'started' if started else 'running'} in {pair.directory}: "
        f"primary 127.0.0.1:{pair.primary.port}, replica 127.0.0.1:{pair.replica.port}",
        err=True,
    )
    for name in services:
        prefix = _settings_class(name).model_config.get("env_prefix") or ""
        typer.echo(f"export {prefix}DATABASE_URL={shlex.quote(pair.primary_url(name.value))}")
        typer.echo(f"export {prefix}REPLICA_DATABASE_URL={shlex.quote(pair.replica_url(name.value))}")


@pg.command("status")
def pg_status(directory: PgDirectory = PG_DIRECTORY) -> None:
    """Show whether the pair runs and how far the replica is behind; exit 1 unless both servers run."""
    from dataservices.pgpair import PostgresError, PostgresPair

    try:
        pair = PostgresPair.attach(directory)
        status = pair.status()
    except PostgresError as exc:
        typer.echo(f"pg status: {exc}", err=True)
        raise typer.Exit(1) from None
    replication = status.replication_state or "not connected"
    if status.replay_lag_bytes is not None:
        replication += f", {status.replay_lag_bytes} bytes behind"
    typer.echo(f"PostgreSQL pair in {pair.directory}")
    typer.echo(f"primary  127.0.0.1:{pair.primary.port}  {'running' if status.primary_running else 'stopped'}")
    role = " (promoted)" if status.promoted else ""
    typer.echo(f"replica{role}  127.0.0.1:{pair.replica.port}  {'running' if status.replica_running else 'stopped'}")
    typer.echo(f"replication  {replication}")
    typer.echo(f"databases  {', '.join(status.databases) or '(none)'}")
    if not (status.primary_running and status.replica_running):
        raise typer.Exit(1)


@pg.command("down")
def pg_down(directory: PgDirectory = PG_DIRECTORY) -> None:
    """Stop both servers and delete their folder, data included."""
    from dataservices.pgpair import PostgresError
    from dataservices.pgpair.local import tear_down

    try:
        removed = tear_down(directory)
    except PostgresError as exc:
        typer.echo(f"pg down: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"stopped and removed {directory}" if removed else f"no PostgreSQL pair in {directory}", err=True)


def main() -> None:
    """Console entry point."""
    # `--scope a b c` reads naturally; typer wants `--scope a --scope b`, so expand the first form.
    argv, expanded, in_scope = sys.argv[1:], [], False
    for arg in argv:
        if arg == "--scope":
            in_scope = True
        elif in_scope and not arg.startswith("-"):
            expanded += ["--scope", arg]
            continue
        else:
            in_scope = False
        if arg != "--scope":
            expanded.append(arg)
    app(args=expanded, prog_name="dataservices")
