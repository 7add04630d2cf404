"""Reading JSON Schema the way the checks need: types, nullability, properties through ``allOf`` and refs."""

from __future__ import annotations

from typing import Any

from contractkit.lint.model import Node
from contractkit.lint.refs import Refs

JSON_MEDIA_TYPE_SUFFIXES = ("/json", "+json")
# Composition deeper than this is a cycle in practice (a schema that includes itself through allOf).
_MAX_DEPTH = 16


def types(schema: Any) -> frozenset[str]:
    """The JSON types a schema names in ``type`` (OpenAPI 3.0 ``nullable: true`` adds ``null``)."""
    if not isinstance(schema, dict):
        return frozenset()
    declared = schema.get("type")
    if isinstance(declared, str):
        found = {declared}
    elif isinstance(declared, list):
        found = {item for item in declared if isinstance(item, str)}
    else:
        found = set()
    if schema.get("nullable") is True:
        found.add("null")
    return frozenset(found)


def is_null_schema(schema: Any) -> bool:
    """``{type: 'null'}`` (or ``enum: [null]``): the 'or null' branch of a nullable ``oneOf``."""
    if not isinstance(schema, dict):
        return False
    return types(schema) == {"null"} or schema.get("enum") == [None] or ("const" in schema and schema["const"] is None)


def without_null(refs: Refs, node: Node) -> Node:
    """The schema ``node`` stands for, looking through refs and a ``oneOf``/``anyOf`` with a null branch."""
    node = refs.follow(node)
    for keyword in ("oneOf", "anyOf"):
        branches = node.get(keyword)
        if isinstance(branches, list):
            others = [position for position, branch in enumerate(branches) if not is_null_schema(branch)]
            if len(others) == 1 and len(branches) > 1:
                return refs.follow(node.child(keyword, others[0]))
    return node


def is_json_media_type(name: str) -> bool:
    """``application/json``, ``application/problem+json`` and the like (parameters ignored)."""
    base = name.split(";", 1)[0].strip().lower()
    return base.endswith(JSON_MEDIA_TYPE_SUFFIXES)


def object_properties(refs: Refs, node: Node, depth: int = 0) -> dict[str, Node]:
    """The properties an object schema declares, its own and those of every ``allOf`` member (refs followed)."""
    node = refs.follow(node)
    found: dict[str, Node] = {}
    if depth > _MAX_DEPTH or not isinstance(node.value, dict):
        return found
    members = node.get("allOf")
    if isinstance(members, list):
        for position in range(len(members)):
            found.update(object_properties(refs, node.child("allOf", position), depth + 1))
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name in properties:
            found[name] = node.child("properties", name)
    return found


def is_object_schema(refs: Refs, node: Node, depth: int = 0) -> bool:
    """Whether the schema describes a JSON object (by ``type``, ``properties``, or all its compositions)."""
    node = refs.follow(node)
    value = node.value
    if depth > _MAX_DEPTH or not isinstance(value, dict):
        return False
    declared = types(value) - {"null"}
    if declared:
        return declared == {"object"}
    if "properties" in value or "additionalProperties" in value:
        return True
    if isinstance(value.get("allOf"), list) and value["allOf"]:
        return any(is_object_schema(refs, node.child("allOf", i), depth + 1) for i in range(len(value["allOf"])))
    for keyword in ("oneOf", "anyOf"):
        branches = value.get(keyword)
        if isinstance(branches, list) and branches:
            return all(is_object_schema(refs, node.child(keyword, i), depth + 1) for i in range(len(branches)))
    return False
