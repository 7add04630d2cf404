"""The shared live-server plugin: any ASGI app on a free 127.0.0.1 port, stopped afterwards."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.fixtures.live_server import LiveServer, serve


async def hello(_: object) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/", hello)])


def _accepts_connections(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_serve_runs_the_app_until_the_block_ends() -> None:
    with serve(APP) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert httpx.get(server.url).text == "hello"
    assert not _accepts_connections(server.port)


def test_fixture_serves_several_apps_on_different_ports(live_server: Callable[..., LiveServer]) -> None:
    first, second = live_server(APP), live_server(APP, lifespan="off")
    assert first.port != second.port
    assert httpx.get(second.url).status_code == 200
