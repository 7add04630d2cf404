"""Hypothesis strategies for contracts, and the transformations a diff must not notice.

Generated contracts have components that refer to each other (cycles included), path-item and operation
parameters, bodies, responses with headers, security and servers. ``mutate`` makes a revision by one random
edit; ``reorder`` and ``inline`` rewrite a contract without changing what it means.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import strategies as st

COMPONENTS = ("Alpha", "Beta", "Gamma")
_PROPERTIES = ("id", "name", "amount", "lines", "owner")
_PATHS = ("/v1/items", "/v1/items/{itemId}", "/v1/orders/{orderId}/lines")
_REF = "#/components/schemas/"

_ref = st.sampled_from(COMPONENTS).map(lambda name: {"$ref": _REF + name})
_strings = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", ["string", "null"]])},
    optional={
        "maxLength": st.integers(1, 40),
        "minLength": st.integers(0, 3),
        "pattern": st.sampled_from(["^[a-z]+$", "^[A-Z0-9]+$"]),
        "format": st.sampled_from(["date", "date-time", "email"]),
        "enum": st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4, unique=True),
    },
)
_numbers = st.fixed_dictionaries(
    {"type": st.sampled_from(["integer", "number"])},
    optional={
        "minimum": st.integers(-5, 5),
        "maximum": st.integers(10, 100),
        "multipleOf": st.sampled_from([1, 2, 5]),
        "format": st.sampled_from(["int32", "int64"]),
        "default": st.integers(10, 20),
    },
)
_scalars = st.one_of(_strings, _numbers, st.just({"type": "boolean"}))


@st.composite
def _objects(draw: st.DrawFn, child: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    properties = draw(st.dictionaries(st.sampled_from(_PROPERTIES), child, max_size=4))
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = draw(st.lists(st.sampled_from(sorted(properties)), unique=True)) if properties else []
    if required:
        schema["required"] = required
    if draw(st.booleans()):
        schema["additionalProperties"] = False
    for name in properties:
        flag = draw(st.sampled_from([None, None, "readOnly", "writeOnly"]))
        if flag and "$ref" not in properties[name]:
            properties[name][flag] = True
    return schema


def schemas(depth: int, refs: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Schemas up to ``depth`` levels of nesting; leaves may refer to components (unless ``refs`` is false)."""
    if depth == 0:
        return st.one_of(_scalars, _ref)
    child = schemas(depth - 1)
    return st.one_of(
        _scalars,
        *([_ref] if refs else []),
        _objects(child),
        st.builds(lambda items, limit: {"type": "array", "items": items, "maxItems": limit}, child, st.integers(1, 50)),
        st.builds(lambda a, b: {"oneOf": [a, b]}, _ref, st.one_of(_scalars, _ref)),
    )


def _parameters(path: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    names = re.findall(r"\{([^}]+)\}", path)
    own = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in names]
    extra = st.lists(
        st.builds(
            lambda name, where, required, schema: {"name": name, "in": where, "required": required, "schema": schema},
            st.sampled_from(["limit", "cursor", "X-Trace"]),
            st.sampled_from(["query", "header"]),
            st.booleans(),
            _scalars,
        ),
        max_size=2,
        unique_by=lambda parameter: (parameter["in"], parameter["name"]),
    )
    return extra.map(lambda listed: own + listed)


@st.composite
def _operation(draw: st.DrawFn, path: str, method: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An operation, and the parameters that go to its path item instead."""
    parameters = draw(_parameters(path))
    shared = [p for p in parameters if draw(st.booleans())]
    operation: dict[str, Any] = {"operationId": f"{method}{len(path)}"}
    if len(shared) < len(parameters):
        operation["parameters"] = [p for p in parameters if p not in shared]
    if method == "post":
        body: dict[str, Any] = {"content": {"application/json": {"schema": draw(schemas(2))}}}
        if draw(st.booleans()):
            body["required"] = True
        operation["requestBody"] = body
    responses: dict[str, Any] = {}
    for status in draw(st.lists(st.sampled_from(["200", "201", "404", "default"]), min_size=1, unique=True)):
        response: dict[str, Any] = {"description": status}
        if status != "404":
            response["content"] = {"application/json": {"schema": draw(schemas(2))}}
        if draw(st.booleans()):
            response["headers"] = {"ETag": {"required": draw(st.booleans()), "schema": draw(_scalars)}}
        responses[status] = response
    operation["responses"] = responses
    scopes = draw(st.lists(st.sampled_from(["read", "write"]), unique=True))
    if scopes:
        operation["security"] = [{"OAuth2": scopes}]
    if draw(st.booleans()):
        operation["deprecated"] = True
    return operation, shared


@st.composite
def contracts(draw: st.DrawFn) -> dict[str, Any]:
    """A whole contract."""
    paths: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(_PATHS), min_size=1, unique=True)):
        item: dict[str, Any] = {}
        for method in draw(st.lists(st.sampled_from(["get", "post", "delete"]), min_size=1, unique=True)):
            operation, shared = draw(_operation(path, method))
            item[method] = operation
            item.setdefault("parameters", [])
            item["parameters"] += [p for p in shared if p not in item["parameters"]]
        if not item["parameters"]:
            del item["parameters"]
        else:
            # A parameter on the path item applies to every operation: keep the operations' own lists consistent.
            for method, operation in item.items():
                if method != "parameters":
                    keys = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
                    operation.setdefault("parameters", [])
                    operation["parameters"] += [p for p in item["parameters"] if (p["in"], p["name"]) not in keys]
            del item["parameters"]
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "Generated", "version": "1.0.0"},
        "servers": [{"url": draw(st.sampled_from(["https://a.example.com", "https://b.example.com"]))}],
        "security": [{"OAuth2": ["read"]}],
        "paths": paths,
        "components": {
            # A component that is only a ref could close a cycle of refs to refs: a broken contract.
            "schemas": {name: draw(schemas(2, refs=False)) for name in COMPONENTS},
            "securitySchemes": {
                "OAuth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://id.example.com/t",
                            "scopes": {"read": "r", "write": "w"},
                        }
                    },
                }
            },
        },
    }


def dicts(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _edit(node: dict[str, Any], choice: int) -> bool:
    """Apply one edit that fits ``node``; False when none does."""
    edits = []
    if isinstance(node.get("maxLength"), int):
        edits.append(lambda: node.update(maxLength=node["maxLength"] + 1))
    if isinstance(node.get("maximum"), int):
        edits.append(lambda: node.update(maximum=node["maximum"] - 1))
    if isinstance(node.get("enum"), list) and len(node["enum"]) > 1:
        edits.append(lambda: node["enum"].pop())
    if isinstance(node.get("required"), list) and node["required"]:
        edits.append(lambda: node["required"].pop())
    if isinstance(node.get("properties"), dict) and node["properties"]:
        edits.append(lambda: node["properties"].pop(next(iter(node["properties"]))))
        edits.append(lambda: node["properties"].update(added={"type": "string"}))
    if node.get("type") in ("string", "integer", "number"):
        edits.append(
            lambda: node.update(type={"string": "integer", "integer": "number", "number": "string"}[node["type"]])
        )
    if isinstance(node.get("responses"), dict) and len(node["responses"]) > 1:
        edits.append(lambda: node["responses"].pop(next(iter(node["responses"]))))
    if isinstance(node.get("parameters"), list) and node["parameters"]:
        edits.append(lambda: node["parameters"][-1].update(required=not node["parameters"][-1].get("required")))
    if isinstance(node.get("security"), list) and node["security"]:
        edits.append(lambda: node.update(security=[{"OAuth2": ["read", "write"]}]))
    if "responses" in node:
        edits.append(lambda: node.update(deprecated=not node.get("deprecated", False)))
    if not edits:
        return False
    edits[choice % len(edits)]()
    return True


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A contract and a revision of it with one to three random edits."""
    base = draw(contracts())
    revision = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        nodes = dicts(revision)
        start = draw(st.integers(0, len(nodes) - 1))
        choice = draw(st.integers(0, 20))
        for offset in range(len(nodes)):
            if _edit(nodes[(start + offset) % len(nodes)], choice):
                break
    return base, revision


def reorder(value: Any) -> Any:
    """``value`` with the keys of every mapping in reverse order."""
    if isinstance(value, dict):
        return {key: reorder(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [reorder(item) for item in value]
    return value


def _recursive(components: dict[str, Any]) -> set[str]:
    """Components that reach themselves through refs."""
    edges = {name: {ref[len(_REF) :] for ref in _refs(schema)} for name, schema in components.items()}
    found = set()
    for start in components:
        seen, stack = set(), list(edges[start])
        while stack:
            name = stack.pop()
            if name == start:
                found.add(start)
                break
            if name not in seen:
                seen.add(name)
                stack.extend(edges.get(name, ()))
    return found


def _refs(value: Any) -> list[str]:
    return [node["$ref"] for node in dicts(value) if isinstance(node.get("$ref"), str)]


def inline(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every schema ``$ref`` replaced by a copy of its target.

    Refs to recursive components stay: unrolling a cycle once would make a new schema (the copy) that is
    compared on its own, which is a different contract graph, not the same one written differently.
    """
    components = document["components"]["schemas"]
    keep = _recursive(components)

    def expand(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF) :] not in keep:
                return expand(components[ref[len(_REF) :]])
            return {key: expand(item) for key, item in value.items()}
        if isinstance(value, list):
            return [expand(item) for item in value]
        return value

    result = dict(document)
    result["paths"] = expand(document["paths"])
    return result
