"""DSL-608: public operations are operational endpoints, and operational endpoints are public, input-less GETs."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import OPERATIONS_TAG
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-608",
    slug="operational-endpoints",
    level="MUST",
    statement=(
        "Operational endpoints (health probes, the contract document) are tagged `Operations` and are GETs "
        "with `security: []`, no parameters and no body; no other operation is public (`security: []`)."
    ),
    rationale=(
        "Platforms call probes at fixed paths without tokens, outside any business trace, so these endpoints "
        "keep unversioned, conventional paths and skip the version (DSL-701), naming (DSL-201) and tracing "
        "(DSL-604) rules. This rule keeps that exemption narrow: an operation tagged `Operations` takes no "
        "input and reveals nothing that needs a token, and nothing else may be public."
    ),
    good_example="""\
/health/live:
  get:
    operationId: getLiveness
    tags: [Operations]
    security: []
""",
    bad_example="""\
/v1/coupons:
  get:
    operationId: listCoupons
    tags: [Coupons]
    security: []
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report operational endpoints that are not public input-less GETs, and other public operations."""
    for operation in ctx.operations:
        if operation.is_operational:
            problems = []
            if operation.method != "get":
                problems.append("is not a GET")
            if not operation.is_public:
                problems.append("does not declare `security: []`")
            if operation.parameters or "requestBody" in operation.value:
                problems.append("takes input")
            if problems:
                message = f"{operation.label} is tagged {OPERATIONS_TAG} but {', '.join(problems)}"
                yield Finding.at(RULE, operation.node, message)
        elif operation.is_public:
            message = (
                f"{operation.label} is public (`security: []`) but not an operational endpoint tagged {OPERATIONS_TAG}"
            )
            yield Finding.at(RULE, operation.node.child("security"), message)
