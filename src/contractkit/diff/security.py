"""Security requirements (alternatives of schemes with scopes), security schemes, and servers.

A client holds the credentials of one base alternative. That alternative keeps working when some revision
alternative needs no scheme and no scope beyond it; otherwise the finding says why: more scopes, another
scheme, or the alternative is gone.
"""

from __future__ import annotations

from typing import Any

from contractkit.diff.findings import Scope
from contractkit.diff.operations import Operation
from contractkit.diff.recorder import Place, Recorder
from contractkit.diff.sides import Node, Side

Alternative = dict[str, frozenset[str]]
_SCHEME_FIELDS = ("type", "scheme", "in", "name", "openIdConnectUrl")
_FLOW_FIELDS = ("tokenUrl", "authorizationUrl")


def _requirements(side: Side, operation: Operation) -> tuple[list[Alternative], Node]:
    holder = operation.node if "security" in operation.node.value else side.root
    node = holder.child("security")
    listed = node.value if isinstance(node.value, list) else []
    alternatives = [
        {
            name: frozenset(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else frozenset()
            for name, scopes in item.items()
        }
        for item in listed
        if isinstance(item, dict)
    ]
    # No requirement at all, or an empty list, means anyone may call.
    return alternatives or [{}], node


def _enough(new: Alternative, old: Alternative) -> bool:
    return all(name in old and scopes <= old[name] for name, scopes in new.items())


def _shown(alternative: Alternative) -> str:
    if not alternative:
        return "no authentication"
    return ", ".join(
        f"`{name}` [{', '.join(sorted(scopes))}]" if scopes else f"`{name}`"
        for name, scopes in sorted(alternative.items())
    )


def compare_security(recorder: Recorder, base: Operation, revision: Operation) -> None:
    """Record how the operation's security requirements changed."""
    base_side, revision_side = recorder.sides()
    old, old_node = _requirements(base_side, base)
    new, new_node = _requirements(revision_side, revision)
    places = (old_node.document, old_node.pointer), (new_node.document, new_node.pointer)
    report = recorder.subject("security", *places, revision.label, Scope(base.key)).add

    for before in old:
        if any(_enough(after, before) for after in new):
            continue
        same = [after for after in new if after.keys() == before.keys()]
        if same:
            added = sorted({scope for name in before for scope in same[0][name] - before[name]})
            report("security-scope-added", f"{_shown(before)} now needs scope {', '.join(added)}")
        elif any(after.keys() > before.keys() for after in new):
            wider = next(after for after in new if after.keys() > before.keys())
            report("security-requirement-added", f"{_shown(before)} → {_shown(wider)}")
        else:
            report("security-alternative-removed", f"the alternative {_shown(before)} was removed")
    for after in new:
        if after in old:
            continue
        same = [before for before in old if before.keys() == after.keys()]
        if same:
            if _enough(after, same[0]):
                report("security-scope-removed", f"{_shown(same[0])} → {_shown(after)}")
        elif any(before.keys() > after.keys() for before in old):
            wider = next(before for before in old if before.keys() > after.keys())
            report("security-requirement-removed", f"{_shown(wider)} → {_shown(after)}")
        elif not any(before.keys() < after.keys() for before in old):
            report("security-alternative-added", f"the alternative {_shown(after)} was added")


def _scheme_facts(scheme: Any) -> dict[str, Any]:
    if not isinstance(scheme, dict):
        return {}
    facts = {field: scheme.get(field) for field in _SCHEME_FIELDS if field in scheme}
    scheme_name = facts.get("scheme")
    if isinstance(scheme_name, str):
        facts["scheme"] = scheme_name.lower()
    flows = scheme.get("flows")
    if isinstance(flows, dict):
        for flow, settings in flows.items():
            if isinstance(settings, dict):
                facts.update({f"{flow}.{field}": settings.get(field) for field in _FLOW_FIELDS if field in settings})
    return facts


def compare_security_schemes(recorder: Recorder, used: set[str]) -> None:
    """Record changes to the definition of every security scheme the base operations use."""
    base_side, revision_side = recorder.sides()
    old_schemes = base_side.root.child("components", "securitySchemes")
    new_schemes = revision_side.root.child("components", "securitySchemes")
    for name in sorted(used):
        old = base_side.deref(old_schemes.child(name))
        new = revision_side.deref(new_schemes.child(name))
        if old is None or new is None or new.value is None:
            continue
        before, after = _scheme_facts(old.value), _scheme_facts(new.value)
        changed = [
            f"{field} `{before.get(field)}` → `{after.get(field)}`"
            for field in before
            if before.get(field) != after.get(field)
        ]
        if changed:
            places = (old.document, old.pointer), (new.document, new.pointer)
            recorder.add(
                "security-scheme-changed",
                f"security scheme `{name}`",
                "; ".join(changed),
                *places,
                operation=None,
                scope=Scope(),
            )


def used_schemes(side: Side, operations: list[Operation]) -> set[str]:
    """Names of the security schemes any of ``operations`` requires."""
    return {
        name for operation in operations for alternative in _requirements(side, operation)[0] for name in alternative
    }


def _servers(node: Node) -> dict[str, Place]:
    listed = node.get("servers")
    if not isinstance(listed, list):
        return {}
    found: dict[str, Place] = {}
    for index, server in enumerate(listed):
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(url, str):
            found.setdefault(url.rstrip("/") or "/", (node.document, node.child("servers", index).pointer))
    return found


def _compare_server_lists(recorder: Recorder, old: Node, new: Node, operation: str | None, scope: Scope) -> None:
    # A side without servers names none (rather than the implicit `/`), so adding a first list is no removal.
    before, after = _servers(old), _servers(new)
    for url, place in before.items():
        if url not in after:
            recorder.add(
                "server-removed",
                "server",
                f"`{url}` removed",
                place,
                (new.document, new.child("servers").pointer),
                operation=operation,
                scope=scope,
            )
    for url, place in after.items():
        if url not in before:
            recorder.add(
                "server-added",
                "server",
                f"`{url}` added",
                (old.document, old.child("servers").pointer),
                place,
                operation=operation,
                scope=scope,
            )


def compare_document_servers(recorder: Recorder) -> None:
    """Record changes to the document's servers."""
    base_side, revision_side = recorder.sides()
    _compare_server_lists(recorder, base_side.root, revision_side.root, None, Scope())


def compare_operation_servers(recorder: Recorder, base: Operation, revision: Operation) -> None:
    """Record server changes of an operation that overrides the document's servers (on either side)."""
    base_side, revision_side = recorder.sides()
    old = next((node for node in (base.node, base.path_item) if isinstance(node.get("servers"), list)), None)
    new = next((node for node in (revision.node, revision.path_item) if isinstance(node.get("servers"), list)), None)
    if old is None and new is None:
        return
    _compare_server_lists(recorder, old or base_side.root, new or revision_side.root, revision.label, Scope(base.key))
