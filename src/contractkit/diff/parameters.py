"""Compare an operation's parameters: matched by location and name, path parameters by position.

Parameters declared on the path item and on the operation are merged first (the operation's win), so moving
one between the two levels is no change; a path parameter is matched by its place in the template, so
renaming it is no change either.
"""

from __future__ import annotations

from contractkit.diff.findings import Scope
from contractkit.diff.operations import Operation, path_parameters
from contractkit.diff.recorder import Place, Recorder
from contractkit.diff.schema.facets import Direction
from contractkit.diff.sides import Node, Side

# OpenAPI says parameters with these header names are ignored.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}

ParameterKey = tuple[str, str]


def parameters(side: Side, operation: Operation) -> dict[ParameterKey, Node]:
    """The operation's effective parameters by (location, name or path position)."""
    found: dict[ParameterKey, Node] = {}
    template = path_parameters(operation.path)
    for holder in (operation.path_item, operation.node):
        listed = holder.child("parameters")
        if not isinstance(listed.value, list):
            continue
        for index in range(len(listed.value)):
            parameter = side.deref(listed.child(index))
            if parameter is None or not isinstance(parameter.value, dict):
                continue
            location, name = parameter.value.get("in"), parameter.value.get("name")
            if not isinstance(location, str) or not isinstance(name, str):
                continue
            if location == "header" and name.lower() in _IGNORED_HEADERS:
                continue
            if location == "path" and name in template:
                key = (location, f"#{template.index(name)}")
            else:
                key = (location, name.lower() if location == "header" else name)
            found[key] = parameter
    return found


def _required(parameter: Node) -> bool:
    return parameter.get("in") == "path" or parameter.get("required") is True


def _serialization(parameter: Node) -> str:
    content = parameter.get("content")
    if isinstance(content, dict) and content:
        return f"content `{next(iter(content))}`"
    style = parameter.get("style", _DEFAULT_STYLE.get(str(parameter.get("in")), "form"))
    explode = parameter.get("explode", style == "form")
    return f"style `{style}`, explode `{str(explode).lower()}`"


def _schema(parameter: Node) -> Node | None:
    content = parameter.get("content")
    if isinstance(content, dict) and content:
        return parameter.child("content", next(iter(content)), "schema")
    schema = parameter.child("schema")
    return schema if schema.value is not None else None


def compare_parameters(recorder: Recorder, base: Operation, revision: Operation) -> None:
    """Record every parameter change between two matched operations."""
    base_side, revision_side = recorder.sides()
    old, new = parameters(base_side, base), parameters(revision_side, revision)
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key), new.get(key)
        present = after if after is not None else before
        shown = str(present.get("name")) if present is not None else key[1]
        where = f"{key[0]} parameter `{shown}`"
        scope = Scope(base.key, "request", parameter=(key[0], shown))
        subject = recorder.subject(where, _place(before, base), _place(after, revision), revision.label, scope)
        if before is None or after is None:
            if after is None:
                subject.add("request-parameter-removed", "removed")
            else:
                subject.add(f"request-{'required' if _required(after) else 'optional'}-parameter-added", "added")
            continue
        if _required(before) != _required(after):
            state = "required" if _required(after) else "optional"
            subject.add(f"request-parameter-became-{state}", f"now {state}")
        if _serialization(before) != _serialization(after):
            subject.add(
                "request-parameter-serialization-changed", f"{_serialization(before)} → {_serialization(after)}"
            )
        old_schema, new_schema = _schema(before), _schema(after)
        if old_schema is not None and new_schema is not None:
            recorder.schema(Direction.REQUEST, old_schema, new_schema, where, revision.label, scope)


def _place(parameter: Node | None, operation: Operation) -> Place:
    if parameter is None:
        return operation.node.document, operation.node.pointer + "/parameters"
    return parameter.document, parameter.pointer
