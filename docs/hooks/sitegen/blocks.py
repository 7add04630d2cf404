"""Markdown building blocks the generated pages share: table cells, tables, code blocks, links."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

_WHITESPACE = re.compile(r"\s+")


def cell(text: object) -> str:
    """``text`` fit for one table cell: on one line, with pipes outside code spans escaped."""
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    # Pipes inside backticks are safe (the tables extension skips code spans); outside they split cells.
    parts = flat.split("`")
    return "`".join(part.replace("|", "\\|") if index % 2 == 0 else part for index, part in enumerate(parts))


def code(text: object) -> str:
    """``text`` as an inline code span, wide enough for any backticks it holds."""
    value = str(text)
    fence = "``" if "`" in value else "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A pipe table; an empty list when there are no rows."""
    body = [f"| {' | '.join(cell(value) for value in row)} |" for row in rows]
    if not body:
        return []
    return [f"| {' | '.join(headers)} |", f"|{'|'.join('---' for _ in headers)}|", *body, ""]


def code_block(language: str, text: str, indent: int = 0) -> list[str]:
    """A fenced code block, indented by ``indent`` spaces (inside an admonition or a tab)."""
    prefix = " " * indent
    fence = "````" if "```" in text else "```"
    return [f"{prefix}{fence}{language}", *(prefix + line for line in text.rstrip("\n").splitlines()), prefix + fence]


def json_block(value: Any, indent: int = 0) -> list[str]:
    """A JSON value as a highlighted code block, as a service would send it (but indented)."""
    return code_block("json", json.dumps(value, indent=2, ensure_ascii=False), indent)


def one_line(text: object) -> str:
    """A description reduced to one line, for prose that must not break a list or heading."""
    return _WHITESPACE.sub(" ", str(text)).strip()


def indent(lines: Iterable[str], spaces: int = 4) -> list[str]:
    """Lines indented as the body of an admonition, a details block or a content tab."""
    return [(" " * spaces + line) if line else "" for line in lines]
