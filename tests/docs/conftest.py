"""Fixtures of the documentation tests: the site built strictly, served on 127.0.0.1, and Chromium.

The site is built once per session with `mkdocs build --strict` into a temp folder, exactly as
`make docs` builds it, and served by a plain static HTTP server on a free port of 127.0.0.1. The
browser is Debian's `/usr/bin/chromium` driven by Playwright; no browser is ever downloaded. Without
it the browser tests skip with the command that installs it, except under `CI=true`, where they fail.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.docs.docsite import CHROMIUM, INSTALL_HINT, ROOT, BuiltSite, RequestLog, SiteServer, is_local

# No sandbox: CI runs as root in a container. The rest keep Chromium from calling home on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-first-run",
]
# A strict build takes about a second; minutes mean something hangs (e.g. npm waiting on the network).
BUILD_TIMEOUT_SECONDS = 300

# The generators under docs/hooks/ are importable for their own unit tests.
sys.path.insert(0, str(ROOT / "docs" / "hooks"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    target = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout[-4000:]}{result.stderr[-8000:]}"
    return BuiltSite(root=target)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="session")
def site_server(built_site: BuiltSite) -> Iterator[SiteServer]:
    handler = functools.partial(_QuietHandler, directory=str(built_site.root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="docs-site", daemon=True)
    thread.start()
    try:
        yield SiteServer(url=f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, one per test module (Playwright's loop never outlives it)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def requests_made() -> RequestLog:
    return RequestLog()


@pytest.fixture
def page(browser: Any, requests_made: RequestLog) -> Iterator[Any]:
    """A fresh page whose requests are recorded; any request that would leave 127.0.0.1 is blocked."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def guard(route: Any) -> None:
        url = route.request.url
        if is_local(url):
            requests_made.local.append(url)
            route.continue_()
        else:
            requests_made.outside.append(url)
            route.abort()

    context.route("**/*", guard)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert requests_made.outside == [], f"requests left 127.0.0.1: {requests_made.outside}"
