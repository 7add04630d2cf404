"""DSL-107: every component of a contract is used."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import Node
from contractkit.lint.registry import Rule
from contractkit.loading import pointer as jsonpointer

RULE = Rule(
    id="DSL-107",
    slug="no-unused-components",
    level="SHOULD",
    statement=(
        "Every entry of the contract's `components` is referenced from somewhere other than itself (security "
        "schemes: named by a security requirement)."
    ),
    rationale=(
        "An unused component is documentation of nothing: readers of the API reference take it for part of "
        "the API, and it rots because no test exercises it. Components meant for several services belong in "
        "`contracts/shared/`, which is not held to this rule."
    ),
    good_example="""\
components:
  schemas:
    Coupon: {type: object}          # referenced by an operation
""",
    bad_example="""\
components:
  schemas:
    CouponV0: {type: object}        # referenced by nothing
""",
)


def _component_of(pointer: str) -> tuple[str, str] | None:
    # Only the first three tokens matter: the rest of a long pointer is never split or unescaped.
    if not pointer.startswith("/components/"):
        return None
    tokens = pointer.split("/", 4)[2:4]
    if len(tokens) < 2:
        return None
    return jsonpointer.unescape(tokens[0]), jsonpointer.unescape(tokens[1])


def _used(ctx: LintContext) -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for view in ctx.index.refs:
        if view.target is None or view.target.document is not ctx.root:
            continue
        component = _component_of(view.target.pointer)
        # A component that only refers to itself (a recursive schema) is not used by that.
        if component is not None and not (
            view.node.document is ctx.root and _component_of(view.node.pointer) == component
        ):
            used.add(component)
    for schema in ctx.index.schemas:
        mapping = schema.node.get("discriminator")
        mapping = mapping.get("mapping") if isinstance(mapping, dict) else None
        if isinstance(mapping, dict):
            for ref in mapping.values():
                target = ctx.refs.target(Node(schema.node.document, schema.node.pointer, {"$ref": ref}))
                component = _component_of(target.pointer) if target and target.document is ctx.root else None
                if component is not None:
                    used.add(component)
    requirements = [ctx.spec.get("security")] + [operation.value.get("security") for operation in ctx.operations]
    for requirement in requirements:
        for entry in requirement if isinstance(requirement, list) else []:
            used.update(("securitySchemes", name) for name in (entry if isinstance(entry, dict) else {}))
    return used


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each component no ref, discriminator mapping or security requirement names."""
    components = ctx.root_node.child("components")
    if not isinstance(components.value, dict):
        return
    used = _used(ctx)
    for section, entries in components.value.items():
        if not isinstance(entries, dict) or section.startswith("x-"):
            continue
        for name in entries:
            if (section, name) not in used:
                yield Finding.at(RULE, components.child(section, name), f"components/{section}/{name} is never used")
