"""DSL-505: PATCH on a versioned resource takes ``If-Match`` and documents 412 and 428."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import OperationView, has_header
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-505",
    slug="if-match-on-patch",
    level="MUST",
    statement=(
        "A PATCH of a versioned resource (one whose GET or PATCH answers an `ETag`) requires `If-Match` and "
        "documents 412 (stale version) and 428 (no `If-Match`)."
    ),
    rationale=(
        "Without a precondition two back-office users editing the same coupon silently overwrite each other "
        "(the lost update). `If-Match` with the `ETag` of the read makes the second change fail visibly."
    ),
    good_example="""\
patch:
  parameters:
    - $ref: '../shared/parameters.yaml#/IfMatch'
  responses:
    '412': {$ref: '../shared/responses.yaml#/PreconditionFailed'}
    '428': {$ref: '../shared/responses.yaml#/PreconditionRequired'}
""",
    bad_example="""\
patch:
  parameters: []
""",
)


def _versioned(ctx: LintContext, operation: OperationView) -> bool:
    _, siblings = ctx.paths.get(operation.path, (None, []))
    for candidate in [operation, *(o for o in siblings if o.method == "get")]:
        if any(r.status_class == "2" and has_header(r.target, "ETag") for r in candidate.responses.values()):
            return True
    return False


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report PATCHes of versioned resources without a required If-Match, 412 or 428."""
    for operation in ctx.operations:
        if operation.method != "patch" or not _versioned(ctx, operation):
            continue
        precondition = operation.parameter("header", "If-Match")
        if precondition is None:
            yield Finding.at(RULE, operation.node, f"{operation.label} changes a versioned resource without If-Match")
        elif precondition.target.get("required") is not True:
            yield Finding.at(RULE, precondition.site, "If-Match must be required")
        missing = [status for status in ("412", "428") if status not in operation.responses]
        if missing:
            where = operation.node.child("responses")
            node = where if isinstance(where.value, dict) else operation.node
            yield Finding.at(RULE, node, f"{operation.label} does not document {' and '.join(missing)}")
