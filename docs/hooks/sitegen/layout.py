"""Where generated pages go: the address of the published site, and their place in the nav."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# `mkdocs serve` builds for its own address; every other build is for the published site.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class LayoutError(ValueError):
    """The configuration does not fit the generated pages (wrong site address, a section page missing)."""


def published_url(site_url: str, base_uri: str, guide_url: str) -> str:
    """The address of the published site, where problem types and rule links must land.

    Problem `type`s point at `<site>/errors/`, lint findings at `<site>/guidelines/`: both must name
    the same site, and a build for publication must be for that site. `mkdocs serve` replaces
    `site_url` with its own local address, which is allowed.
    """
    published = base_uri.removesuffix("errors/")
    if not base_uri.endswith("/errors/") or guide_url != published + "guidelines/":
        raise LayoutError(f"problem types point at {base_uri} but lint rules at {guide_url}: one site must hold both")
    if urlsplit(site_url).hostname not in LOCAL_HOSTS and site_url != published:
        raise LayoutError(f"site_url is {site_url}, but problem types and rule links point at {published}")
    return published


def insert_after(nav: list[Any], anchor: str, entries: list[dict[str, str]]) -> None:
    """Put ``entries`` right after the nav item whose page is ``anchor``, in its section."""
    if not _insert(nav, anchor, entries):
        raise LayoutError(f"mkdocs.yml: the nav must list {anchor}; the generated pages of its section follow it")


def _insert(items: list[Any], anchor: str, entries: list[dict[str, str]]) -> bool:
    for index, item in enumerate(items):
        value = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
        if value == anchor:
            items[index + 1 : index + 1] = entries
            return True
        if isinstance(value, list) and _insert(value, anchor, entries):
            return True
    return False
