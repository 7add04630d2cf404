"""Just enough HTML reading for the site tests: the resources a page loads, its ids and its text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# Tags whose attribute makes the browser fetch something when the page loads.
_FETCHING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src"}
# `<link rel=...>` kinds that load a resource; `canonical` and `alternate` are only addresses.
_LOADING_LINKS = {"stylesheet", "preload", "modulepreload", "icon", "manifest", "prefetch", "apple-touch-icon"}


@dataclass
class PageFacts:
    """What one built page loads, which ids it has, and the text of its article."""

    loads: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    headings: dict[str, str] = field(default_factory=dict)  # id -> heading text
    article_text: str = ""
    h1: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._article_depth = 0
        self._heading: tuple[str, list[str]] | None = None
        self._in_h1 = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.facts.ids.add(values["id"])
        if tag in _FETCHING and values.get(_FETCHING[tag]):
            self.facts.loads.append(values[_FETCHING[tag]])
        if tag == "link" and set(values.get("rel", "").split()) & _LOADING_LINKS and values.get("href"):
            self.facts.loads.append(values["href"])
        if tag == "article":
            self._article_depth += 1
        if tag in ("h1", "h2", "h3", "h4") and "id" in values:
            self._heading = (values["id"], [])
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article_depth -= 1
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            heading_id, parts = self._heading
            self.facts.headings[heading_id] = "".join(parts).replace("¶", "").strip()
            self._heading = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._article_depth:
            self._text.append(data)
        if self._heading is not None:
            self._heading[1].append(data)
        if self._in_h1:
            self.facts.h1 += data.replace("¶", "")

    def close(self) -> None:
        super().close()
        self.facts.article_text = " ".join(" ".join(self._text).split())
        self.facts.h1 = self.facts.h1.strip()


def read_page(path: Path) -> PageFacts:
    """The facts of a built HTML page."""
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.facts
