"""DSL-601: every operation requires authentication with scopes the scheme defines."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import Node, OperationView
from contractkit.lint.registry import Rule

SCOPED_TYPES = ("oauth2", "openIdConnect")

RULE = Rule(
    id="DSL-601",
    slug="security-requirement",
    level="MUST",
    statement=(
        "Every operation has a security requirement (its own or the document's) naming a declared scheme "
        "and, for OAuth2, at least one scope the scheme defines. Only an explicit `security: []` on the "
        "operation makes it public (see DSL-608)."
    ),
    rationale=(
        "An operation without a requirement is public by accident; an OAuth2 requirement without scopes "
        "accepts any token of any client. Scopes per service and verb (`coupon:redeem`) are how we grant "
        "least privilege, so each must exist in the scheme the identity provider is configured from."
    ),
    good_example="""\
security:
  - OAuth2: ['coupon:redeem']
""",
    bad_example="""\
security:
  - OAuth2: []
""",
)


def _requirements(ctx: LintContext, operation: OperationView) -> Node:
    return operation.node.child("security") if operation.has_own_security else ctx.root_node.child("security")


def _problems(ctx: LintContext, operation: OperationView) -> Iterator[tuple[Node, str]]:
    listed = _requirements(ctx, operation)
    if not isinstance(listed.value, list) or not listed.value:
        yield operation.node, f"{operation.label} has no security requirement"
        return
    schemes = ctx.root_node.child("components", "securitySchemes")
    for position, requirement in enumerate(listed.value):
        where = listed.child(position)
        if not isinstance(requirement, dict):
            continue
        if not requirement:
            yield where, "an empty security requirement makes authentication optional"
        for name, scopes in requirement.items():
            scheme = ctx.follow(schemes.child(name))
            if not isinstance(scheme.value, dict):
                yield where.child(name), f"security scheme {name!r} is not declared in components.securitySchemes"
                continue
            if scheme.get("type") not in SCOPED_TYPES:
                continue
            if not isinstance(scopes, list) or not scopes:
                yield where.child(name), f"{operation.label} names no {name} scope"
                continue
            defined = _defined_scopes(scheme)
            for scope in scopes:
                if scheme.get("type") == "oauth2" and scope not in defined:
                    yield where.child(name), f"scope {scope!r} is not defined by security scheme {name!r}"


def _defined_scopes(scheme: Node) -> set[str]:
    flows = scheme.get("flows")
    found: set[str] = set()
    for flow in flows.values() if isinstance(flows, dict) else []:
        scopes = flow.get("scopes") if isinstance(flow, dict) else None
        found.update(scopes if isinstance(scopes, dict) else {})
    return found


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report operations without a usable requirement (each place once, also when inherited)."""
    reported: set[tuple[tuple[str, str], str]] = set()
    for operation in ctx.operations:
        if operation.is_public:
            continue
        for node, message in _problems(ctx, operation):
            if (node.key, message) not in reported:
                reported.add((node.key, message))
                yield Finding.at(RULE, node, message)
