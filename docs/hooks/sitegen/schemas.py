"""JSON Schemas of a bundled contract as Markdown: a type in words and a nested property table.

Named schemas (``#/components/schemas/X``) link to their own section of the API page; nested objects
are expanded in place with dotted paths (``orderAmount.currency``), arrays with ``[]``, so a reader
sees a whole request body in one table. Alternatives (``oneOf`` with more than one non-null branch)
stay links: expanding every branch would hide which field belongs to which.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contractkit.loading import pointer as jsonpointer
from sitegen import blocks

SCHEMA_REF_PREFIX = "#/components/schemas/"
# Deep enough for every body of the contracts (page → item → money → amount); deeper reads as noise.
MAX_DEPTH = 3
_ALTERNATIVES = ("oneOf", "anyOf")


def schema_anchor(name: str) -> str:
    """The HTML id of a named schema's section on an API page."""
    return "schema-" + name.lower()


@dataclass(frozen=True, slots=True)
class Row:
    """One property of an object schema, as a table row."""

    field: str
    type: str
    required: bool
    constraints: str
    description: str


def resolve(document: Mapping[str, Any], node: Any) -> tuple[dict[str, Any], str | None]:
    """Follow local refs to the schema; also return its component name when it has one."""
    name: str | None = None
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            break
        seen.add(ref)
        if ref.startswith(SCHEMA_REF_PREFIX):
            name = ref.removeprefix(SCHEMA_REF_PREFIX)
        node = jsonpointer.resolve(document, jsonpointer.split(ref[1:]))
    return (node if isinstance(node, dict) else {}), name


class SchemaRenderer:
    """Renders the schemas of one bundled contract."""

    def __init__(self, document: Mapping[str, Any], link: Callable[[str], str] | None = None) -> None:
        self._document = document
        self._link = link or (lambda name: f"[{name}](#{schema_anchor(name)})")

    # --- a schema in words -------------------------------------------------------------------
    def type_text(self, node: Any) -> str:
        """What a value of this schema is: ``string (date-time)``, ``array of [Coupon](...)``..."""
        schema, name = resolve(self._document, node)
        if name is not None and self._is_structured(schema):
            return self._link(name)
        text = self.plain_type(schema)
        return f"{text} ({self._link(name)})" if name is not None else text

    def plain_type(self, schema: dict[str, Any]) -> str:
        """The type of a schema in words, without naming the schema itself."""
        for keyword in _ALTERNATIVES:
            if isinstance(schema.get(keyword), list):
                return self._alternatives(schema, schema[keyword])
        if "allOf" in schema:
            return "object"
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
        words = []
        for kind in kinds:
            if kind == "array":
                words.append(f"array of {self.type_text(schema.get('items', {}))}")
            elif kind == "null":
                continue
            else:
                fmt = schema.get("format")
                words.append(f"{kind} ({fmt})" if fmt else str(kind))
        if not words:
            words = ["object"] if "properties" in schema else ["any"]
        text = " or ".join(words)
        return text + " or null" if "null" in kinds else text

    def _alternatives(self, schema: dict[str, Any], branches: list[Any]) -> str:
        real = [branch for branch in branches if resolve(self._document, branch)[0].get("type") != "null"]
        nullable = len(real) < len(branches)
        if len(real) == 1:
            text = self.type_text(real[0])
        else:
            mapping = _inverse_mapping(schema)
            words = []
            for branch in real:
                _, name = resolve(self._document, branch)
                tag = mapping.get(name or "")
                words.append(self.type_text(branch) + (f" ({blocks.code(tag)})" if tag else ""))
            key = (schema.get("discriminator") or {}).get("propertyName")
            chosen = f", chosen by {blocks.code(key)}" if key else ""
            text = "one of " + ", ".join(words) + chosen
        return text + " or null" if nullable else text

    def constraints(self, node: Any) -> str:
        """The schema's constraints in words: enum, range, length, pattern, default..."""
        schema, _ = resolve(self._document, node)
        schema = self._non_null(schema)
        found: list[str] = []
        if "enum" in schema:
            found.append("one of " + ", ".join(blocks.code(value) for value in schema["enum"] if value is not None))
        if "const" in schema:
            found.append("always " + blocks.code(schema["const"]))
        found += _range(schema, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
        found += _bounds(schema, "minLength", "maxLength", "characters")
        if "pattern" in schema:
            found.append("pattern " + blocks.code(schema["pattern"]))
        found += _bounds(schema, "minItems", "maxItems", "items")
        found += _bounds(schema, "minProperties", "maxProperties", "properties")
        if schema.get("uniqueItems"):
            found.append("unique items")
        if "default" in schema:
            found.append("default " + blocks.code(_json(schema["default"])))
        return "; ".join(found)

    def description(self, node: Any) -> str:
        """The description at the use site, else the target's (OpenAPI 3.1 allows both)."""
        if isinstance(node, dict) and isinstance(node.get("description"), str):
            return str(node["description"])
        schema, _ = resolve(self._document, node)
        text = schema.get("description")
        return text if isinstance(text, str) else ""

    # --- objects as tables -------------------------------------------------------------------
    def rows(self, node: Any, prefix: str = "", depth: int = 0, seen: frozenset[str] = frozenset()) -> list[Row]:
        """One row per property, nested objects and array items expanded below their parent."""
        schema, name = resolve(self._document, node)
        if name is not None:
            seen = seen | {name}
        properties, required = self.object_shape(schema)
        rows: list[Row] = []
        for key, child in properties.items():
            path = f"{prefix}{key}"
            rows.append(
                Row(
                    field=path,
                    type=self.type_text(child),
                    required=key in required,
                    constraints=self.constraints(child),
                    description=self.description(child),
                )
            )
            rows += self._nested(child, path, depth, seen)
        return rows

    def _nested(self, child: Any, path: str, depth: int, seen: frozenset[str]) -> list[Row]:
        if depth + 1 >= MAX_DEPTH:
            return []
        schema, name = resolve(self._document, child)
        schema = self._non_null(schema)
        if name in seen:
            return []
        if schema.get("type") == "array" or "items" in schema:
            items, item_name = resolve(self._document, schema.get("items", {}))
            if item_name not in seen and self.object_shape(items)[0]:
                return self.rows(schema.get("items", {}), f"{path}[].", depth + 1, seen)
            return []
        if self.object_shape(schema)[0]:
            return self.rows(schema, f"{path}.", depth + 1, seen)
        return []

    def object_shape(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """Properties and required names of an object schema, ``allOf`` parts merged in order."""
        schema = self._non_null(schema)
        properties: dict[str, Any] = {}
        required: set[str] = set(schema.get("required", []))
        for part in schema.get("allOf", []):
            part_schema, _ = resolve(self._document, part)
            part_properties, part_required = self.object_shape(part_schema)
            for key, value in part_properties.items():
                properties[key] = _merge(self._document, properties.get(key), value)
            required |= part_required
        for key, value in (schema.get("properties") or {}).items():
            properties[key] = _merge(self._document, properties.get(key), value)
        return properties, required

    def table(self, node: Any) -> list[str]:
        """The property table of an object schema (empty for scalars and alternatives)."""
        rows = self.rows(node)
        return blocks.table(
            ["field", "type", "required", "constraints", "description"],
            [
                (blocks.code(row.field), row.type, "yes" if row.required else "no", row.constraints, row.description)
                for row in rows
            ],
        )

    def closed(self, node: Any) -> bool:
        """Whether the object refuses properties it does not list (``additionalProperties: false``)."""
        schema, _ = resolve(self._document, node)
        return schema.get("additionalProperties") is False

    def _non_null(self, schema: dict[str, Any]) -> dict[str, Any]:
        """For ``oneOf: [X, {type: null}]`` the schema X; otherwise the schema itself."""
        for keyword in _ALTERNATIVES:
            branches = schema.get(keyword)
            if isinstance(branches, list):
                real = [b for b in branches if resolve(self._document, b)[0].get("type") != "null"]
                if len(real) == 1:
                    return resolve(self._document, real[0])[0]
        return schema

    def _is_structured(self, schema: dict[str, Any]) -> bool:
        return any(key in schema for key in ("properties", "allOf", *_ALTERNATIVES)) or schema.get("type") == "object"


def _merge(document: Mapping[str, Any], earlier: Any, later: Any) -> Any:
    """A property seen in two ``allOf`` parts: the later part's keywords win, the rest is kept."""
    if earlier is None:
        return later
    first, _ = resolve(document, earlier)
    second, _ = resolve(document, later)
    return {**first, **second}


def _inverse_mapping(schema: dict[str, Any]) -> dict[str, str]:
    mapping = (schema.get("discriminator") or {}).get("mapping") or {}
    return {
        str(target).removeprefix(SCHEMA_REF_PREFIX): str(value)
        for value, target in mapping.items()
        if isinstance(target, str)
    }


def _range(schema: dict[str, Any], low: str, high: str, exclusive_low: str, exclusive_high: str) -> list[str]:
    found = []
    if low in schema and high in schema:
        found.append(f"{schema[low]} to {schema[high]}")
    elif low in schema:
        found.append(f"at least {schema[low]}")
    elif high in schema:
        found.append(f"at most {schema[high]}")
    if exclusive_low in schema:
        found.append(f"more than {schema[exclusive_low]}")
    if exclusive_high in schema:
        found.append(f"less than {schema[exclusive_high]}")
    return found


def _bounds(schema: dict[str, Any], low: str, high: str, unit: str) -> list[str]:
    if low in schema and high in schema:
        if schema[low] == schema[high]:
            return [f"exactly {schema[low]} {unit}"]
        return [f"{schema[low]} to {schema[high]} {unit}"]
    if low in schema:
        return [f"at least {schema[low]} {unit}"]
    if high in schema:
        return [f"at most {schema[high]} {unit}"]
    return []


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
