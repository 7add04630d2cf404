"""DSL-403: every operation declares a success, a client error and a server error."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import OperationView
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-403",
    slug="response-classes",
    level="MUST",
    statement=(
        "Every operation declares a 2xx, a 4xx and a 5xx (or `default`) response. An operation that takes no "
        "input at all (no parameters, no body, `security: []`) has nothing to reject and needs no 4xx."
    ),
    rationale=(
        "Clients write their error handling from the contract; an undeclared class of answer is one they "
        "did not plan for, and Schemathesis reports every undeclared status it meets."
    ),
    good_example="""\
responses:
  '200': {$ref: '#/components/responses/Coupon'}
  '404': {$ref: '#/components/responses/CouponNotFound'}
  '500': {$ref: '../shared/responses.yaml#/InternalError'}
""",
    bad_example="""\
responses:
  '200': {$ref: '#/components/responses/Coupon'}
""",
)


def _takes_input(operation: OperationView) -> bool:
    return bool(operation.parameters) or "requestBody" in operation.value or not operation.is_public


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report operations missing a class of response."""
    for operation in ctx.operations:
        missing = []
        if not operation.declares_status_class("2"):
            missing.append("2xx")
        if not operation.declares_status_class("4") and _takes_input(operation):
            missing.append("4xx")
        if not operation.declares_status_class("5") and "default" not in operation.responses:
            missing.append("5xx or default")
        if missing:
            where = operation.node.child("responses")
            node = where if isinstance(where.value, dict) else operation.node
            yield Finding.at(RULE, node, f"{operation.label} declares no {', no '.join(missing)} response")
