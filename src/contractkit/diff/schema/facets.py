"""Compare one schema's own keywords (not its children) facet by facet, without knowing the direction.

Each facet says whether the revision accepts fewer values (``narrowed``), more (``widened``), both (an
incomparable change: some values lost, some gained) or something undecidable (``changed``, e.g. a new regular
expression). :func:`classify` turns that into a check ID once the direction is known.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


class Direction(enum.Enum):
    """Who writes the data: the client (request) or the service (response)."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True, slots=True)
class FacetChange:
    """How one facet of a schema changed; the strings explain it for a reviewer."""

    facet: str
    keyword: str
    narrowed: str | None = None
    widened: str | None = None
    changed: str | None = None


def classify(change: FacetChange, direction: Direction) -> tuple[str, str] | None:
    """(check ID, explanation) for ``change`` seen in ``direction``; ``None`` when it does not matter there."""
    prefix = direction.value
    if change.facet == "default":
        return ("request-default-changed", change.changed or "") if direction is Direction.REQUEST else None
    # A request breaks on what is no longer accepted; a response on what may now be sent.
    first, second = (change.narrowed, "narrowed"), (change.widened, "widened")
    if direction is Direction.RESPONSE:
        first, second = second, first
    for text, kind in (first, (change.changed, "changed"), second):
        if text:
            return f"{prefix}-{change.facet}-{kind}", text
    return None


def compare_facets(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    """Every facet of ``base`` and ``revision`` (two schema objects) that differs."""
    for facet in _FACETS:
        yield from facet(base, revision)


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    kind = schema.get("type")
    if isinstance(kind, str):
        kinds = {kind}
    elif isinstance(kind, list):
        kinds = {item for item in kind if isinstance(item, str)}
    else:
        return None
    if schema.get("nullable") is True:
        kinds.add("null")
    return frozenset(kinds)


def _covered(kind: str, kinds: frozenset[str]) -> bool:
    return kind in kinds or (kind == "integer" and "number" in kinds)


def _shown_types(kinds: frozenset[str] | None) -> str:
    if kinds is None:
        return "any type"
    ordered = sorted(kinds, key=lambda kind: (kind == "null", kind))
    return f"`{ordered[0]}`" if len(ordered) == 1 else f"`[{', '.join(ordered)}]`"


def _type(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    before, after = _types(base), _types(revision)
    if before == after:
        return
    lost = (
        None
        if after is None
        else ({"other types"} if before is None else {k for k in before if not _covered(k, after)})
    )
    gained = (
        None
        if before is None
        else ({"other types"} if after is None else {k for k in after if not _covered(k, before)})
    )
    text = f"type {_shown_types(before)} → {_shown_types(after)}"
    keyword = "nullable" if "type" not in revision and "nullable" in revision else "type"
    yield FacetChange("type", keyword, narrowed=text if lost else None, widened=text if gained else None)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _values(schema: dict[str, Any]) -> dict[str, Any] | None:
    if "const" in schema:
        return {_canonical(schema["const"]): schema["const"]}
    values = schema.get("enum")
    return {_canonical(value): value for value in values} if isinstance(values, list) else None


def _shown_values(values: list[str]) -> str:
    shown = ", ".join(f"`{value.strip(chr(34))}`" for value in sorted(values)[:8])
    return shown + (f" and {len(values) - 8} more" if len(values) > 8 else "")


def _enum(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    before, after = _values(base), _values(revision)
    if before == after:
        return
    keyword = "const" if "const" in revision or ("const" in base and "enum" not in revision) else "enum"
    if before is None:
        yield FacetChange("enum", keyword, narrowed=f"values are now limited to {_shown_values(list(after or ()))}")
        return
    if after is None:
        yield FacetChange("enum", keyword, widened="the enum was removed: any value is allowed")
        return
    removed = [key for key in before if key not in after]
    added = [key for key in after if key not in before]
    yield FacetChange(
        "enum",
        keyword,
        narrowed=f"enum value {_shown_values(removed)} removed" if removed else None,
        widened=f"enum value {_shown_values(added)} added" if added else None,
    )


def _number(value: Any) -> float | None:
    """``value`` when it is a JSON number (booleans are not), else ``None``."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _limits(schema: dict[str, Any], inclusive: str, exclusive: str) -> list[tuple[float, bool]]:
    # 3.0 writes `exclusiveMinimum: true` next to `minimum`; 3.1 writes the bound itself.
    limits: list[tuple[float, bool]] = []
    value, flag = _number(schema.get(inclusive)), schema.get(exclusive)
    if value is not None:
        limits.append((value, flag is True))
    bound = _number(flag)
    if bound is not None:
        limits.append((bound, True))
    return limits


def _lower(schema: dict[str, Any]) -> tuple[float, bool] | None:
    bounds = _limits(schema, "minimum", "exclusiveMinimum")
    return max(bounds) if bounds else None


def _upper(schema: dict[str, Any]) -> tuple[float, bool] | None:
    bounds = _limits(schema, "maximum", "exclusiveMaximum")
    return min(bounds, key=lambda bound: (bound[0], not bound[1])) if bounds else None


def _step(value: Any) -> Fraction | None:
    number = _number(value)
    # Exact arithmetic: 0.1 is a multiple of 0.01, which floats get wrong.
    return Fraction(str(number)) if number is not None and number > 0 else None


def _bound_text(bound: tuple[float, bool] | None, lower: bool) -> str:
    if bound is None:
        return "none"
    sign = (">" if bound[1] else "≥") if lower else ("<" if bound[1] else "≤")
    return f"{sign} {bound[0]:g}"


def _tightness(bound: tuple[float, bool] | None, lower: bool) -> tuple[float, int]:
    # Sortable: a higher lower bound, or a lower upper bound, accepts fewer values; exclusive is tighter.
    if bound is None:
        return float("-inf"), 0
    value, exclusive = bound
    return (value if lower else -value), int(exclusive)


def _bound_keyword(schema: dict[str, Any], lower: bool) -> str:
    exclusive = "exclusiveMinimum" if lower else "exclusiveMaximum"
    return exclusive if _number(schema.get(exclusive)) is not None else ("minimum" if lower else "maximum")


def _range(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    for lower in (True, False):
        bounds = _lower if lower else _upper
        before, after = bounds(base), bounds(revision)
        if before == after:
            continue
        text = f"{'lower' if lower else 'upper'} bound {_bound_text(before, lower)} → {_bound_text(after, lower)}"
        narrower = _tightness(after, lower) > _tightness(before, lower)
        keyword = _bound_keyword(revision if after is not None else base, lower)
        yield FacetChange("range", keyword, narrowed=text if narrower else None, widened=None if narrower else text)
    before_step, after_step = base.get("multipleOf"), revision.get("multipleOf")
    if before_step != after_step:
        old, new = _step(before_step), _step(after_step)
        # Values valid before stay valid when every old multiple is also a new multiple.
        lost = new is not None and (old is None or old % new != 0)
        gained = old is not None and (new is None or new % old != 0)
        text = f"multipleOf {before_step if old is not None else 'none'} → {after_step if new is not None else 'none'}"
        if lost or gained:
            yield FacetChange("range", "multipleOf", narrowed=text if lost else None, widened=text if gained else None)


def _bounds(
    facet: str, minimum: str, maximum: str
) -> Callable[[dict[str, Any], dict[str, Any]], Iterator[FacetChange]]:
    def compare(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
        for keyword, lower in ((minimum, True), (maximum, False)):
            before, after = base.get(keyword), revision.get(keyword)
            if before == after:
                continue
            old, new = _number(before), _number(after)
            if old == new:
                continue
            text = f"{keyword} {'none' if old is None else old} → {'none' if new is None else new}"
            if old is None:
                narrower = True
            elif new is None:
                narrower = False
            else:
                narrower = new > old if lower else new < old
            yield FacetChange(facet, keyword, narrowed=text if narrower else None, widened=None if narrower else text)

    return compare


def _unique(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    before, after = base.get("uniqueItems") is True, revision.get("uniqueItems") is True
    if before != after:
        text = f"uniqueItems {str(before).lower()} → {str(after).lower()}"
        yield FacetChange("count", "uniqueItems", narrowed=text if after else None, widened=None if after else text)


# Format changes that only widen: every value of the first format is a value of the second.
_WIDER_FORMATS = frozenset({("int32", "int64"), ("float", "double"), ("int32", "double"), ("float", "number")})


def _text(value: Any) -> str | None:
    """A keyword that must be a string (`format`, `pattern`), or ``None`` when it is anything else."""
    return value if isinstance(value, str) else None


def _format(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    before, after = _text(base.get("format")), _text(revision.get("format"))
    if before == after:
        return
    text = f"format {f'`{before}`' if before else 'none'} → {f'`{after}`' if after else 'none'}"
    narrowed = before is None or (after is not None and (after, before) not in _WIDER_FORMATS)
    widened = after is None or (before is not None and (before, after) not in _WIDER_FORMATS)
    if (before, after) in _WIDER_FORMATS:
        narrowed, widened = False, True
    elif (after, before) in _WIDER_FORMATS:
        narrowed, widened = True, False
    yield FacetChange("format", "format", narrowed=text if narrowed else None, widened=text if widened else None)


def _pattern(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    before, after = _text(base.get("pattern")), _text(revision.get("pattern"))
    if before == after:
        return
    if before is None:
        yield FacetChange("pattern", "pattern", narrowed=f"pattern `{after}` added")
    elif after is None:
        yield FacetChange("pattern", "pattern", widened=f"pattern `{before}` removed")
    else:
        yield FacetChange("pattern", "pattern", changed=f"pattern `{before}` → `{after}`")


def _closed(schema: dict[str, Any]) -> bool:
    return schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False


def _additional(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    before, after = _closed(base), _closed(revision)
    if before != after:
        keyword = (
            "additionalProperties"
            if "additionalProperties" in (revision if after else base)
            else ("unevaluatedProperties")
        )
        if after:
            yield FacetChange("additional-properties", keyword, narrowed="properties not listed are now refused")
        else:
            yield FacetChange("additional-properties", keyword, widened="properties not listed are now allowed")


def _default(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    missing = object()
    before, after = base.get("default", missing), revision.get("default", missing)
    if (before is missing and after is missing) or before == after:
        return
    old = "none" if before is missing else f"`{_canonical(before)}`"
    new = "none" if after is missing else f"`{_canonical(after)}`"
    yield FacetChange("default", "default", changed=f"default {old} → {new}")


# Keywords that constrain a value through subschemas or rules this diff does not take apart: adding one can only
# refuse values, removing one can only admit them, and whether a changed one does either cannot be told.
_CONDITIONS = (
    "not", "if", "then", "else", "contains", "minContains", "maxContains", "propertyNames", "patternProperties",
    "dependentRequired", "dependentSchemas", "unevaluatedItems", "contentEncoding", "contentMediaType",
    "contentSchema",
)  # fmt: skip


def _conditions(base: dict[str, Any], revision: dict[str, Any]) -> Iterator[FacetChange]:
    for keyword in _CONDITIONS:
        before, after = base.get(keyword), revision.get(keyword)
        if before is None and after is None:
            continue
        if before is None:
            yield FacetChange("conditions", keyword, narrowed=f"`{keyword}` added")
        elif after is None:
            yield FacetChange("conditions", keyword, widened=f"`{keyword}` removed")
        elif _canonical(before) != _canonical(after):
            yield FacetChange(
                "conditions", keyword, changed=f"`{keyword}` `{_canonical(before)}` → `{_canonical(after)}`"
            )


_FACETS: tuple[Callable[[dict[str, Any], dict[str, Any]], Iterator[FacetChange]], ...] = (
    _type,
    _enum,
    _range,
    _bounds("length", "minLength", "maxLength"),
    _bounds("count", "minItems", "maxItems"),
    _bounds("count", "minProperties", "maxProperties"),
    _unique,
    _format,
    _pattern,
    _additional,
    _conditions,
    _default,
)


def closed(schema: dict[str, Any]) -> bool:
    """True when ``schema`` refuses properties it does not list."""
    return _closed(schema)
