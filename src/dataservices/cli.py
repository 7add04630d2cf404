"""`dataservices`: run, migrate and authenticate against the reference data services.

dataservices serve coupon [--host 127.0.0.1] [--port 8081] [--demo]
dataservices migrate coupon
dataservices token --scope coupon:read --scope coupon:write [--subject S] [--ttl SECONDS]
"""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum
from typing import Annotated

import typer
import uvicorn

from dataservices.common.auth import issue_development_token
from dataservices.common.migrate import upgrade
from dataservices.common.observability import configure_logging
from dataservices.common.settings import AuthSettings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


class ServiceName(StrEnum):
    coupon = "coupon"


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
) -> None:
    """Migrate the database, then serve the service's contract over HTTP."""
    from dataservices.coupon.app import create_app
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
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)


@app.command()
def token(
    scope: Annotated[list[str], typer.Option("--scope", help="A scope to grant; repeat for several.")],
    subject: Annotated[str, typer.Option(help="The client id the token names.")] = "development-client",
    ttl: Annotated[int, typer.Option(help="Seconds until the token expires.")] = 3600,
) -> None:
    """Print a development JWT that services started with the same environment accept."""
    scopes = [part for value in scope for part in value.split()]
    typer.echo(issue_development_token(AuthSettings(), scopes, subject=subject, ttl_seconds=ttl))


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
