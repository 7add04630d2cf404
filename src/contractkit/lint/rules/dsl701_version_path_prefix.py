"""DSL-701: the major version is in the path prefix ``/v{major}``, and only there."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import VERSION_SEGMENT, path_segments
from contractkit.lint.registry import Rule
from contractkit.lint.rules.dsl104_info_metadata import SEMVER

VERSION_PARAMETERS = frozenset({"version", "apiversion", "api-version", "api_version"})

RULE = Rule(
    id="DSL-701",
    slug="version-path-prefix",
    level="MUST",
    statement=(
        "Every path starts with `/v{major}/`, where major is `info.version`'s; no other segment, parameter "
        "or header carries a version. Operational endpoints (DSL-608) are unversioned."
    ),
    rationale=(
        "A major version is a new contract with its own routes, served side by side with the old one while "
        "clients move. Minor and patch versions are compatible by definition (DSL-703) and never appear in "
        "URLs; a version in a query or header splits one route into several contracts."
    ),
    good_example="""\
info: {version: 1.4.0}
paths:
  /v1/coupons: {}
""",
    bad_example="""\
info: {version: 2.0.0}
paths:
  /coupons/v1: {}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report paths without the right prefix, versions elsewhere, and version parameters."""
    info = ctx.spec.get("info")
    match = (
        SEMVER.match(info.get("version", ""))
        if isinstance(info, dict) and isinstance(info.get("version"), str)
        else None
    )
    major = f"v{match.group(1)}" if match else None
    for path, (site, operations) in ctx.paths.items():
        if operations and all(operation.is_operational for operation in operations):
            continue
        segments = path_segments(path)
        if not segments or not VERSION_SEGMENT.match(segments[0]):
            yield Finding.at(RULE, site, f"path {path} does not start with the major version (/{major or 'v1'}/)")
        elif major is not None and segments[0] != major:
            yield Finding.at(
                RULE, site, f"path {path} is in {segments[0]} but info.version is {match.group(0) if match else ''}"
            )
        if any(VERSION_SEGMENT.match(segment) for segment in segments[1:]):
            yield Finding.at(RULE, site, f"path {path} carries a version after its prefix")
    for parameter in ctx.index.parameters:
        name = parameter.get("name")
        if isinstance(name, str) and name.lower() in VERSION_PARAMETERS:
            yield Finding.at(
                RULE, parameter.child("name"), f"parameter {name!r} carries a version; use the path prefix"
            )
