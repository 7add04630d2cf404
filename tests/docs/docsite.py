"""What the documentation tests share: where the site is built, served and browsed, and how to read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "https://dataservices.example.com/"
CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "install Debian's chromium: apt-get install -y chromium"


@dataclass(frozen=True)
class BuiltSite:
    """The strictly built site."""

    root: Path

    def page(self, path: str) -> Path:
        """The HTML file of a site path such as ``errors/coupon-exhausted/``."""
        return self.root / path.strip("/") / "index.html" if path.strip("/") else self.root / "index.html"


@dataclass(frozen=True)
class SiteServer:
    """The built site on a static HTTP server of 127.0.0.1."""

    url: str  # "http://127.0.0.1:<port>/"

    def at(self, path: str) -> str:
        return self.url + path.lstrip("/")

    def local(self, public_url: str) -> str:
        """A URL of the published site (``https://dataservices.example.com/...``) on this server."""
        assert public_url.startswith(SITE_URL), public_url
        return self.at(public_url.removeprefix(SITE_URL))


@dataclass
class RequestLog:
    """Every request a page made: those to 127.0.0.1 went through, any other was blocked and kept."""

    local: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"
