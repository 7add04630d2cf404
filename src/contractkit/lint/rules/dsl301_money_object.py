"""DSL-301: money is the shared ``Money`` object: int64 minor units plus an ISO 4217 currency."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import PropertyView
from contractkit.lint.naming import last_word
from contractkit.lint.registry import Rule
from contractkit.lint.schemas import is_object_schema, object_properties, types, without_null

# A property is money when the last word of its name is one of these (`orderAmount`, `price`, `fee`).
MONEY_WORDS = frozenset({"amount", "balance", "cost", "fee", "money", "price"})

RULE = Rule(
    id="DSL-301",
    slug="money-object",
    level="MUST",
    statement=(
        "A money value is the shared `Money` object `{amount, currency}`: `amount` an int64 count of the "
        "currency's minor units, `currency` an ISO 4217 code. Never a float, never a bare number or string."
    ),
    rationale=(
        "Binary floats cannot hold 0.10 exactly, so sums and discounts drift by cents; an amount without its "
        "currency is meaningless once services exchange it. A property is taken for money when the last word "
        "of its name is amount, balance, cost, fee, money or price (`orderAmount`, `unitPrice`)."
    ),
    good_example="""\
properties:
  orderAmount:
    $ref: '../shared/schemas.yaml#/Money'
""",
    bad_example="""\
properties:
  orderAmount:
    type: number
    format: double
""",
)


def _problem(ctx: LintContext, prop: PropertyView) -> str | None:
    schema = without_null(ctx.refs, prop.node)
    declared = types(schema.value) - {"null"}
    if "number" in declared:
        return f"money property {prop.name!r} is a float; use the shared Money schema (int64 minor units + currency)"
    if "integer" in declared:
        if "currency" in object_properties(ctx.refs, prop.owner):
            if schema.get("format") != "int64":
                return f"{prop.name!r} counts minor units and must be an int64 integer"
            return None
        return f"money property {prop.name!r} is a bare integer; use the shared Money schema (amount + currency)"
    if "string" in declared:
        return f"money property {prop.name!r} is a string; use the shared Money schema (int64 minor units + currency)"
    if is_object_schema(ctx.refs, schema):
        members = object_properties(ctx.refs, schema)
        if "amount" not in members or "currency" not in members:
            return f"money property {prop.name!r} is not the Money shape {{amount, currency}}"
    return None


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report money-named properties that are floats, bare numbers, strings or objects of another shape."""
    for prop in ctx.index.properties:
        if last_word(prop.name) in MONEY_WORDS and isinstance(prop.node.value, dict):
            problem = _problem(ctx, prop)
            if problem is not None:
                yield Finding.at(RULE, prop.node, problem)
