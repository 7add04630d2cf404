"""Every header name a contract defines: header parameters and the headers of responses."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.model import Node


def header_names(ctx: LintContext) -> Iterator[tuple[str, Node]]:
    """``(name, node to report at)`` for each header parameter and each response header, once each."""
    for parameter in ctx.index.parameters:
        name = parameter.get("name")
        if parameter.get("in") == "header" and isinstance(name, str):
            yield name, parameter.child("name")
    for header in ctx.index.headers:
        yield header.name, header.node
