"""DSL-605: servers are reached over HTTPS only."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import Node
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-605",
    slug="https-servers",
    level="MUST",
    statement="Every server URL (document, path or operation level) is `https://` or relative.",
    rationale=(
        "Bearer tokens and money amounts travel in every request; over plain HTTP anyone on the path reads "
        "or changes them. A relative URL inherits the scheme the contract itself was fetched with."
    ),
    good_example="""\
servers:
  - url: https://coupon.dataservices.example.com
""",
    bad_example="""\
servers:
  - url: http://coupon.dataservices.example.com
""",
)


def _server_lists(ctx: LintContext) -> Iterator[Node]:
    yield ctx.root_node.child("servers")
    for _, (site, _operations) in ctx.paths.items():
        yield ctx.follow(site).child("servers")
    for operation in ctx.operations:
        yield operation.node.child("servers")


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report server URLs with a scheme other than https."""
    for servers in _server_lists(ctx):
        for position, server in enumerate(servers.value if isinstance(servers.value, list) else []):
            url = server.get("url") if isinstance(server, dict) else None
            if isinstance(url, str) and "://" in url and not url.lower().startswith("https://"):
                yield Finding.at(RULE, servers.child(position, "url"), f"server {url} is not https")
