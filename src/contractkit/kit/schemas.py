"""The leaves of a request body, each with the schema that governs it, for the bad-input checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contractkit.loading import pointer as jsonpointer
from contractkit.operations import OperationIndex


def _branch(facts: OperationIndex, schema: dict[str, Any], instance: Any) -> dict[str, Any] | None:
    """The oneOf/anyOf branch an instance belongs to: by discriminator, else the first whose type fits."""
    branches = schema.get("oneOf") or schema.get("anyOf")
    if not isinstance(branches, list):
        return None
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(instance, dict):
        value = instance.get(discriminator.get("propertyName", ""))
        target = discriminator.get("mapping", {}).get(value)
        for branch in branches:
            if isinstance(branch, dict) and branch.get("$ref") == target:
                resolved = facts.resolve(branch)
                return resolved if isinstance(resolved, dict) else None
    for branch in branches:
        resolved = facts.resolve(branch)
        if isinstance(resolved, dict) and _fits(resolved, instance):
            return resolved
    return None


def _fits(schema: dict[str, Any], instance: Any) -> bool:
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    names = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    for kind in kinds:
        if kind in ("integer", "number") and isinstance(instance, int | float) and not isinstance(instance, bool):
            return True
        if kind in names and isinstance(instance, names[kind]):
            return True
    return kinds == [None]


def leaves(
    facts: OperationIndex, schema: Any, instance: Any, pointer: str = ""
) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """`(pointer, value, schema)` for every scalar of `instance`, following refs, allOf and oneOf."""
    resolved = facts.resolve(schema)
    if not isinstance(resolved, dict):
        resolved = {}
    chosen = _branch(facts, resolved, instance)
    if chosen is not None:
        yield from leaves(facts, chosen, instance, pointer)
        return
    if isinstance(instance, dict):
        properties: dict[str, Any] = {}
        for part in [resolved, *[facts.resolve(sub) for sub in resolved.get("allOf", [])]]:
            if isinstance(part, dict) and isinstance(part.get("properties"), dict):
                properties.update(part["properties"])
        for name, value in instance.items():
            yield from leaves(facts, properties.get(name, {}), value, jsonpointer.child(pointer, name))
    elif isinstance(instance, list):
        for index, value in enumerate(instance):
            yield from leaves(facts, resolved.get("items", {}), value, jsonpointer.child(pointer, index))
    else:
        yield pointer, instance, resolved


def constrained(schema: dict[str, Any]) -> bool:
    """Whether a string schema restricts its characters (a pattern, a format or an enum)."""
    return any(key in schema for key in ("pattern", "format", "enum", "const"))


def replaced(instance: Any, pointer: str, value: Any) -> Any:
    """A copy of `instance` with the value at `pointer` replaced (the pointer must exist)."""
    tokens = jsonpointer.split(pointer)
    if not tokens:
        return value
    head, rest = tokens[0], jsonpointer.join(tokens[1:])
    if isinstance(instance, list):
        copy: Any = list(instance)
        copy[int(head)] = replaced(copy[int(head)], rest, value)
    else:
        copy = dict(instance)
        copy[head] = replaced(copy[head], rest, value)
    return copy


def value_at(instance: Any, pointer: str) -> Any:
    """The value at `pointer`, or None when the path does not exist."""
    try:
        return jsonpointer.resolve(instance, jsonpointer.split(pointer))
    except jsonpointer.PointerError:
        return None
