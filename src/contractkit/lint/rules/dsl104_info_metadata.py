"""DSL-104: ``info`` says who owns the contract, what it is for, and its SemVer version."""

from __future__ import annotations

import re
from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

# semver.org's regular expression, without the optional leading `v`.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)

RULE = Rule(
    id="DSL-104",
    slug="info-metadata",
    level="MUST",
    statement=(
        "`info` has a `description`, a `contact` with a name and an email or URL, and a SemVer `version` "
        "(MAJOR.MINOR.PATCH)."
    ),
    rationale=(
        "Consumers need to know what the service is for and whom to ask. The version is SemVer because the "
        "breaking-change check and the `/v{major}` path prefix (DSL-701) both read the major number from it."
    ),
    good_example="""\
info:
  title: Coupon data service
  version: 1.2.0
  description: Coupons, discount quotes and synchronous redemptions.
  contact: {name: Data service platform team, email: dataservices@example.com}
""",
    bad_example="""\
info:
  title: Coupon data service
  version: v1
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report a missing description or contact, an incomplete contact, and a version that is not SemVer."""
    info = ctx.root_node.child("info")
    if not isinstance(info.value, dict):
        yield Finding.at(RULE, ctx.root_node, "the document has no `info`")
        return
    description = info.get("description")
    if not isinstance(description, str) or not description.strip():
        yield Finding.at(RULE, info, "`info` has no description")
    contact = info.child("contact")
    if not isinstance(contact.value, dict):
        yield Finding.at(RULE, info, "`info` has no contact")
    elif not contact.get("name") or not (contact.get("email") or contact.get("url")):
        yield Finding.at(RULE, contact, "`info.contact` needs a name and an email or URL")
    version = info.get("version")
    if not isinstance(version, str) or not SEMVER.match(version):
        yield Finding.at(RULE, info.child("version"), f"`info.version` {version!r} is not a SemVer version")
