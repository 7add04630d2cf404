"""Request bodies and responses: presence, status codes, media types and headers, then their schemas."""

from __future__ import annotations

from contractkit.diff.findings import Scope
from contractkit.diff.operations import Operation
from contractkit.diff.recorder import Place, Recorder
from contractkit.diff.schema.facets import Direction
from contractkit.diff.sides import Node, Side


def _object(side: Side, node: Node) -> Node | None:
    """``node`` with refs followed when it is an object; ``None`` when absent or broken."""
    target = side.deref(node)
    return target if target is not None and isinstance(target.value, dict) else None


def _media_types(node: Node) -> dict[str, str]:
    """Normalized media type (lower case, no parameters) -> the key as written."""
    content = node.get("content")
    if not isinstance(content, dict):
        return {}
    found: dict[str, str] = {}
    for key in content:
        found.setdefault(key.split(";")[0].strip().lower(), key)
    return found


def _covered(media_type: str, available: dict[str, str]) -> bool:
    kind = media_type.split("/")[0]
    return media_type in available or "*/*" in available or f"{kind}/*" in available


def _at(node: Node, *tokens: str) -> Place:
    return node.document, node.child(*tokens).pointer


def _schemas(old: Node, old_key: str, new: Node, new_key: str) -> tuple[Node, Node] | None:
    schemas = old.child("content", old_key, "schema"), new.child("content", new_key, "schema")
    return None if schemas[0].value is None and schemas[1].value is None else schemas


def compare_request_body(recorder: Recorder, base: Operation, revision: Operation) -> None:
    """Record changes to the request body: presence, required, media types, then each schema."""
    base_side, revision_side = recorder.sides()
    old = _object(base_side, base.node.child("requestBody"))
    new = _object(revision_side, revision.node.child("requestBody"))
    if old is None and new is None:
        return
    scope = Scope(base.key, "request")
    body = recorder.subject("request body", _at(old or base.node), _at(new or revision.node), revision.label, scope)
    if old is None or new is None:
        if new is None:
            body.add("request-body-removed", "removed")
        else:
            body.add(f"request-{'required' if new.get('required') is True else 'optional'}-body-added", "added")
        return
    if (old.get("required") is True) != (new.get("required") is True):
        state = "required" if new.get("required") is True else "optional"
        at = _at(old, "required"), _at(new, "required")
        recorder.subject("request body", *at, revision.label, scope).add(f"request-body-became-{state}", f"now {state}")
    old_types, new_types = _media_types(old), _media_types(new)
    for media_type, key in old_types.items():
        where = f"request body ({key})"
        if media_type in new_types:
            schemas = _schemas(old, key, new, new_types[media_type])
            if schemas is not None:
                recorder.schema(Direction.REQUEST, *schemas, where, revision.label, scope)
        elif not _covered(media_type, new_types):
            removed = recorder.subject(where, _at(old, "content", key), _at(new, "content"), revision.label, scope)
            removed.add("request-media-type-removed", f"media type `{key}` removed")
    for media_type, key in new_types.items():
        if media_type not in old_types:
            added = recorder.subject(
                f"request body ({key})", _at(old, "content"), _at(new, "content", key), revision.label, scope
            )
            added.add("request-media-type-added", f"media type `{key}` added")


def _statuses(node: Node) -> dict[str, str]:
    """Normalized status (``4XX`` for ``4xx``) -> the key as written."""
    if not isinstance(node.value, dict):
        return {}
    return {(key if key == "default" else key.upper()): key for key in map(str, node.value) if not key.startswith("x-")}


def _family(status: str) -> str:
    return "success" if status[:1] in ("1", "2", "3") else "error"


def _counterpart(status: str, others: dict[str, str]) -> str | None:
    if status in others:
        return status
    family = f"{status[:1]}XX"
    return family if status != family and family in others else None


def compare_responses(recorder: Recorder, base: Operation, revision: Operation) -> None:
    """Record changes to responses: status codes, then each matched response's headers and content."""
    base_side, revision_side = recorder.sides()
    old_node, new_node = base.node.child("responses"), revision.node.child("responses")
    old, new = _statuses(old_node), _statuses(new_node)
    for status, key in old.items():
        match = _counterpart(status, new)
        if match is None:
            at = _at(old_node, key), _at(new_node)
            gone = recorder.subject(f"response {key}", *at, revision.label, Scope(base.key, "response", status))
            gone.add(f"response-{_family(status)}-status-removed", "removed")
            continue
        old_response = _object(base_side, old_node.child(key))
        new_response = _object(revision_side, new_node.child(new[match]))
        if old_response is not None and new_response is not None:
            _compare_response(recorder, base, revision, status, old_response, new_response)
    for status, key in new.items():
        # A range that took over specific codes of its family (404 -> 4XX) is not a new response.
        replaced = status[1:] == "XX" and any(code[:1] == status[:1] and code not in new for code in old)
        if _counterpart(status, old) is None and not replaced:
            at = _at(old_node), _at(new_node, key)
            added = recorder.subject(f"response {key}", *at, revision.label, Scope(base.key, "response", status))
            added.add(f"response-{_family(status)}-status-added", "added")


def _compare_response(
    recorder: Recorder, base: Operation, revision: Operation, status: str, old: Node, new: Node
) -> None:
    scope = Scope(base.key, "response", status)
    old_types, new_types = _media_types(old), _media_types(new)
    for media_type, key in old_types.items():
        where = f"response {status} body ({key})"
        if media_type in new_types:
            schemas = _schemas(old, key, new, new_types[media_type])
            if schemas is not None:
                recorder.schema(Direction.RESPONSE, *schemas, where, revision.label, scope)
        else:
            gone = recorder.subject(where, _at(old, "content", key), _at(new, "content"), revision.label, scope)
            gone.add("response-media-type-removed", f"media type `{key}` removed")
    for media_type, key in new_types.items():
        if media_type not in old_types:
            where = f"response {status} body ({key})"
            added = recorder.subject(where, _at(old, "content"), _at(new, "content", key), revision.label, scope)
            added.add("response-media-type-added", f"media type `{key}` added")
    _compare_headers(recorder, base, revision, status, old, new)


def _headers(side: Side, response: Node) -> dict[str, tuple[str, Node]]:
    """Lower-case name -> (name as written, header object); `Content-Type` is ignored as OpenAPI says."""
    headers = response.get("headers")
    if not isinstance(headers, dict):
        return {}
    found: dict[str, tuple[str, Node]] = {}
    for name in headers:
        header = _object(side, response.child("headers", name))
        if header is not None and name.lower() != "content-type":
            found.setdefault(name.lower(), (name, header))
    return found


def _compare_headers(
    recorder: Recorder, base: Operation, revision: Operation, status: str, old: Node, new: Node
) -> None:
    base_side, revision_side = recorder.sides()
    old_headers, new_headers = _headers(base_side, old), _headers(revision_side, new)
    for lower in dict.fromkeys([*old_headers, *new_headers]):
        name, before = old_headers.get(lower, (None, None))
        shown, after = new_headers.get(lower, (name, None))
        where = f"response {status} header `{shown}`"
        scope = Scope(base.key, "response", status, parameter=("header", str(shown)))
        at_old = (before.document, before.pointer) if before is not None else _at(old, "headers")
        at_new = (after.document, after.pointer) if after is not None else _at(new, "headers")
        header = recorder.subject(where, at_old, at_new, revision.label, scope)
        if before is None:
            header.add("response-header-added", "added")
        elif after is None:
            header.add(
                f"response-{'required' if before.get('required') is True else 'optional'}-header-removed", "removed"
            )
        else:
            if before.get("required") is True and after.get("required") is not True:
                header.add("response-header-became-optional", "no longer required")
            schemas = _header_schema(before), _header_schema(after)
            if schemas[0] is not None and schemas[1] is not None:
                recorder.schema(Direction.RESPONSE, schemas[0], schemas[1], where, revision.label, scope)


def _header_schema(header: Node) -> Node | None:
    content = header.get("content")
    if isinstance(content, dict) and content:
        return header.child("content", next(iter(content)), "schema")
    schema = header.child("schema")
    return schema if schema.value is not None else None
