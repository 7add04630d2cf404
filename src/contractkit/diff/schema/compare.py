"""Compare one pair of schemas: their own facets, their properties, and edges to their child schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contractkit.diff.schema.changes import ADDITIONAL, ITEMS, PREFIX, PROPERTY, Change, Step
from contractkit.diff.schema.composition import compare_composition, union_of
from contractkit.diff.schema.facets import Direction, classify, closed, compare_facets
from contractkit.diff.sides import Node, Side
from contractkit.loading import Document
from contractkit.loading import pointer as jsonpointer

if TYPE_CHECKING:
    from contractkit.diff.schema.graph import SchemaGraph


def compare_pair(
    graph: SchemaGraph, base: Node, revision: Node, changes: list[Change], edges: list[tuple[Step, int]]
) -> None:
    """Append the changes local to ``base``/``revision`` and the edges to their child pairs."""
    if (union_of(base.value) is None) != (union_of(revision.value) is None):
        # One side became a union (or stopped being one): its constraints moved into branches, so only
        # the branches can be compared meaningfully.
        compare_composition(graph, base, revision, changes, edges)
        return
    for change in compare_facets(base.value, revision.value):
        classified = classify(change, graph.direction)
        if classified is not None:
            where_b = (base.document, jsonpointer.child(base.pointer, change.keyword))
            where_r = (revision.document, jsonpointer.child(revision.pointer, change.keyword))
            changes.append(Change(classified[0], classified[1], where_b, where_r))
    _compare_properties(graph, base, revision, changes, edges)
    _compare_children(graph, base, revision, edges)
    compare_composition(graph, base, revision, changes, edges)


def _view(side: Side, node: Node, hidden_flag: str) -> tuple[dict[str, Node], set[str]]:
    """The properties a direction sees (own and merged `allOf` parts), and those hidden by readOnly/writeOnly.

    A property declared in several parts is all of those schemas at once, merged into one view.
    """
    declared: dict[str, list[Node]] = {}
    for holder in (node, *node.parts):
        properties = holder.value.get("properties")
        if isinstance(properties, dict):
            for name in properties:
                declared.setdefault(name, []).append(holder.child("properties", name))
    visible: dict[str, Node] = {}
    hidden: set[str] = set()
    for name, raws in declared.items():
        schema = side.schema(raws[0]) if len(raws) == 1 else side.merge(raws)
        if schema is not None and schema.value.get(hidden_flag) is True:
            hidden.add(name)
        else:
            visible[name] = raws[0] if len(raws) == 1 or schema is None else schema
    return visible, hidden


def _required(value: dict[str, Any]) -> set[str]:
    required = value.get("required")
    return {name for name in required if isinstance(name, str)} if isinstance(required, list) else set()


def _compare_properties(
    graph: SchemaGraph, base: Node, revision: Node, changes: list[Change], edges: list[tuple[Step, int]]
) -> None:
    request = graph.direction is Direction.REQUEST
    flag = "readOnly" if request else "writeOnly"
    old, old_hidden = _view(graph.base, base, flag)
    new, new_hidden = _view(graph.revision, revision, flag)
    old_required = _required(base.value) - old_hidden
    new_required = _required(revision.value) - new_hidden
    if not (old or new or old_required or new_required):
        return
    names = dict.fromkeys([*old, *sorted(old_required - old.keys()), *new, *sorted(new_required - new.keys())])
    for name in names:
        before, after = name in old or name in old_required, name in new or name in new_required
        was_required, is_required = name in old_required, name in new_required
        step = (Step(PROPERTY, name),)
        places = _places(base, old.get(name), revision, new.get(name), name)
        if before and after:
            if name in old and name in new:
                graph.link(edges, Step(PROPERTY, name), old[name], new[name])
            check = _required_check(request, was_required, is_required)
            if check is not None:
                at = (
                    (base.document, jsonpointer.child(base.pointer, "required")),
                    (
                        revision.document,
                        jsonpointer.child(revision.pointer, "required"),
                    ),
                )
                detail = "now required" if is_required else "no longer required"
                changes.append(Change(check, detail, *at, step))
        elif before:
            check = _removed_check(request, was_required, closed(revision.value))
            detail = f"now {flag}" if name in new_hidden else "property removed"
            changes.append(Change(check, detail, *places, step))
        else:
            check = _added_check(request, is_required)
            if name in old_hidden:
                detail = f"no longer {flag}" + (" and required" if is_required else "")
            else:
                detail = "required property added" if is_required else "property added"
            changes.append(Change(check, detail, *places, step))


def _places(
    base: Node, old: Node | None, revision: Node, new: Node | None, name: str
) -> tuple[tuple[Document, str], tuple[Document, str]]:
    """Where property ``name`` is on each side (where it would be, when it is not there)."""

    def place(holder: Node, found: Node | None) -> tuple[Document, str]:
        if found is not None:
            return found.document, found.pointer
        return holder.document, jsonpointer.join([*jsonpointer.split(holder.pointer), "properties", name])

    return place(base, old), place(revision, new)


def _required_check(request: bool, was: bool, now: bool) -> str | None:
    if was == now:
        return None
    if request:
        return "request-property-became-required" if now else "request-property-became-optional"
    return "response-property-became-required" if now else "response-property-became-optional"


def _removed_check(request: bool, was_required: bool, refuses_unknown: bool) -> str:
    if request:
        return "request-property-no-longer-accepted" if refuses_unknown else "request-property-removed"
    return "response-required-property-removed" if was_required else "response-optional-property-removed"


def _added_check(request: bool, required: bool) -> str:
    if request:
        return "request-required-property-added" if required else "request-optional-property-added"
    return "response-property-added"


def _accepts_arrays(value: dict[str, Any]) -> bool:
    kind = value.get("type")
    return kind is None or kind == "array" or (isinstance(kind, list) and "array" in kind)


def _child(node: Node, keyword: str) -> Node | None:
    """The schema under ``keyword``, an empty schema standing in when it is missing; ``None`` to stop.

    The stand-in is tagged so it never stands in again below itself: a missing `items` compared with a
    recursive one (`Tree.items: Tree`) must close a cycle, not grow a new pair at every level.
    """
    found = node.child(keyword)
    if isinstance(found.value, (dict, bool)):
        return found
    return None if node.tag == _ABSENT else Node(found.document, found.pointer, {}, _ABSENT)


_ABSENT = "absent"


def _compare_children(graph: SchemaGraph, base: Node, revision: Node, edges: list[tuple[Step, int]]) -> None:
    old, new = base.value.get("items"), revision.value.get("items")
    has_old, has_new = isinstance(old, (dict, bool)), isinstance(new, (dict, bool))
    if (has_old and has_new) or (
        (has_old or has_new) and _accepts_arrays(base.value) and _accepts_arrays(revision.value)
    ):
        _link(graph, edges, Step(ITEMS, ""), base, revision, "items")
    old, new = base.value.get("additionalProperties"), revision.value.get("additionalProperties")
    if (isinstance(old, dict) or isinstance(new, dict)) and old is not False and new is not False:
        _link(graph, edges, Step(ADDITIONAL, ""), base, revision, "additionalProperties")
    old, new = base.value.get("prefixItems"), revision.value.get("prefixItems")
    if isinstance(old, list) and isinstance(new, list):
        for index in range(min(len(old), len(new))):
            step = Step(PREFIX, str(index))
            graph.link(edges, step, base.child("prefixItems", index), revision.child("prefixItems", index))


def _link(
    graph: SchemaGraph, edges: list[tuple[Step, int]], step: Step, base: Node, revision: Node, keyword: str
) -> None:
    old, new = _child(base, keyword), _child(revision, keyword)
    if old is not None and new is not None:
        graph.link(edges, step, old, new)
