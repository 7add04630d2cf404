"""Make a value a schema accepts, for a response the contract gives no example of.

Examples come first, as a reader of the contract would take them: the schema's own `example`,
`examples`, `const`, `default` or first `enum` value, at every level. Only where a schema has none is a
value built from its type and bounds: the first branch of a `oneOf`/`anyOf`, the merged branches of an
`allOf`, every property of an object, one item of an array, the smallest number in range, a fixed value
per string `format`, and for a `pattern` the smallest string Hypothesis finds that matches it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from contractkit.loading.pointer import local_target

# Past this many nested schemas a recursive schema gets no deeper value: a mock answer is an illustration.
MAX_DEPTH = 16
# One value per string format, each valid under JSON Schema's format checkers.
_FORMATS = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "00:00:00Z",
    "email": "someone@example.com",
    "uri": "https://example.com/",
    "uri-reference": "/",
    "iri": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
# Hypothesis looks for values, not bugs, here: no example database, no health checks, no deadline.
_SEARCH = settings(database=None, max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
# A fresh value need not be the smallest: the first one found will do (12 ms against 280 ms with shrinking).
_FIRST_FOUND = settings(_SEARCH, phases=[Phase.generate])


class ValueMaker:
    """Builds example values for the schemas of one bundled contract (local `$ref`s are followed)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, schema: Any) -> Any:
        target, _ = local_target(self.document, schema)
        return target

    def value(self, schema: Any, depth: int = 0) -> Any:
        """A value `schema` accepts, examples first."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return None
        for key in ("example", "const", "default"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        if isinstance(schema.get("allOf"), list):
            return self.value(self.merged(schema), depth + 1)
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                return self.value(branches[0], depth + 1)
        return self._typed(schema, depth)

    def merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An `allOf` as one schema: the branches' keywords, their properties and required names united."""
        result: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
        for branch in schema["allOf"]:
            branch = self.resolve(branch)
            if not isinstance(branch, dict):
                continue
            if "allOf" in branch:
                branch = self.merged(branch)
            properties = {**result.get("properties", {}), **branch.get("properties", {})}
            required = [*result.get("required", []), *branch.get("required", [])]
            result.update({key: value for key, value in branch.items() if key not in ("properties", "required")})
            if properties:
                result["properties"] = properties
            if required:
                result["required"] = list(dict.fromkeys(required))
        return result

    def _typed(self, schema: dict[str, Any], depth: int) -> Any:
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        if kind == "object":
            properties = schema.get("properties")
            properties = properties if isinstance(properties, dict) else {}
            return {name: self.value(sub, depth + 1) for name, sub in properties.items()}
        if kind == "array":
            count = max(1, int(schema.get("minItems", 0)))
            count = min(count, int(schema.get("maxItems", count)))
            return [self.value(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind in ("integer", "number"):
            return _number(schema, kind)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return _string(schema)


def _number(schema: dict[str, Any], kind: str) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    value: int | float = low + 1 if "exclusiveMinimum" in schema and "minimum" not in schema else low
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    step = schema.get("multipleOf")
    if step:
        value = -(-value // step) * step
    return int(value) if kind == "integer" else value


def _string(schema: dict[str, Any]) -> str:
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        found = smallest_match(pattern, low, high)
        if found is not None:
            return found
    text = _FORMATS.get(str(schema.get("format")), "string")
    text = text.ljust(low, "x")
    return text[:high] if isinstance(high, int) else text


@cache
def smallest_match(pattern: str, min_length: int = 0, max_length: int | None = None) -> str | None:
    """The smallest string that matches `pattern` within the lengths, or None when Hypothesis finds none."""
    return _matching(pattern, min_length, max_length, lambda _: True, _SEARCH)


def fresh_string(pattern: str, min_length: int, max_length: int | None, accept: Callable[[str], bool]) -> str | None:
    """A string matching `pattern`, within the lengths, that `accept` takes; None if none is found."""
    return _matching(pattern, min_length, max_length, accept, _FIRST_FOUND)


def _matching(
    pattern: str, min_length: int, max_length: int | None, accept: Callable[[str], bool], search: settings
) -> str | None:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    strategy = st.from_regex(compiled, fullmatch=True).filter(
        lambda text: len(text) >= min_length and (max_length is None or len(text) <= max_length)
    )
    try:
        return str(find(strategy, accept, settings=search))
    except (NoSuchExample, Unsatisfiable):  # a pattern Hypothesis cannot satisfy within its budget
        return None
