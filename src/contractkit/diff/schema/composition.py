"""Compare unions (`oneOf`/`anyOf`) branch by branch, and their discriminators.

`allOf` never reaches here: its parts are merged into one view when the schema is read (see ``Side.schema``).
Branches are paired by what they reference, then by title or type when that is unambiguous, then by position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contractkit.diff.schema.changes import BRANCH, Change, Step
from contractkit.diff.schema.facets import FacetChange, classify
from contractkit.diff.sides import Node, Side
from contractkit.loading import pointer as jsonpointer

if TYPE_CHECKING:
    from contractkit.diff.schema.graph import SchemaGraph

_UNIONS = ("oneOf", "anyOf")


def union_of(value: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """(keyword, branches) when ``value`` is a union."""
    for keyword in _UNIONS:
        branches = value.get(keyword)
        if isinstance(branches, list) and branches:
            return keyword, branches
    return None


def compare_composition(
    graph: SchemaGraph, base: Node, revision: Node, changes: list[Change], edges: list[tuple[Step, int]]
) -> None:
    """Pair the branches of two unions (a plain schema counts as a union of itself), then the discriminators."""
    old, new = union_of(base.value), union_of(revision.value)
    if old is None and new is None:
        return
    keyword = (new or old or ("oneOf", []))[0]
    olds = [base.child(old[0], index) for index in range(len(old[1]))] if old else [base]
    news = [revision.child(new[0], index) for index in range(len(new[1]))] if new else [revision]
    pairs, removed, added = _match(graph, olds, news)
    for i, j in pairs:
        graph.link(edges, Step(BRANCH, f"{keyword} {j + 1}"), olds[i], news[j])
    for i in removed:
        text = f"{old[0] if old else keyword} branch {_name(graph.base, olds[i], i)} removed"
        _add(graph, changes, FacetChange("composition", "", narrowed=text), olds[i], revision)
    for j in added:
        text = f"{keyword} branch {_name(graph.revision, news[j], j)} added"
        _add(graph, changes, FacetChange("composition", "", widened=text), base, news[j])
    _compare_discriminators(graph, base, revision, changes)


def _add(graph: SchemaGraph, changes: list[Change], change: FacetChange, base: Node, revision: Node) -> None:
    classified = classify(change, graph.direction)
    if classified is not None:
        where_b = (base.document, jsonpointer.child(base.pointer, change.keyword) if change.keyword else base.pointer)
        where_r = (
            revision.document,
            jsonpointer.child(revision.pointer, change.keyword) if change.keyword else revision.pointer,
        )
        changes.append(Change(classified[0], classified[1], where_b, where_r))


def _identity(side: Side, node: Node) -> tuple[str, str] | None:
    value = node.value
    if isinstance(value, dict) and isinstance(value.get("$ref"), str):
        target = side.deref(node)
        return None if target is None else (side.file_id(target.document), target.pointer)
    holder = node.pointer.rsplit("/", 2)
    if len(holder) < 3 or holder[1] not in _UNIONS:
        # A plain schema standing for a one-branch union: it is where it was referenced to.
        return side.file_id(node.document), node.pointer
    return None


def _is_ref(node: Node) -> bool:
    return isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str)


def _title(side: Side, node: Node) -> Any:
    schema = side.schema(node)
    return None if schema is None else schema.value.get("title")


def _kind(side: Side, node: Node) -> Any:
    schema = side.schema(node)
    kind = None if schema is None else schema.value.get("type")
    return tuple(kind) if isinstance(kind, list) else kind


def _match(
    graph: SchemaGraph, olds: list[Node], news: list[Node]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    left, right = list(range(len(olds))), list(range(len(news)))
    pairs: list[tuple[int, int]] = []

    def pair_by(key: Callable[[Side, Node], Any], unique: bool) -> None:
        old_keys = {i: key(graph.base, olds[i]) for i in left}
        new_keys = {j: key(graph.revision, news[j]) for j in right}
        for i in list(left):
            wanted = old_keys[i]
            if wanted is None:
                continue
            found = [j for j in right if new_keys[j] == wanted]
            ambiguous = unique and (len(found) != 1 or list(old_keys.values()).count(wanted) != 1)
            if found and not ambiguous:
                pairs.append((i, found[0]))
                left.remove(i)
                right.remove(found[0])

    if all(_is_ref(node) for node in (*olds, *news)):
        pair_by(_identity, unique=False)
    elif len(olds) != len(news):
        # Equal counts pair by position (an edited branch stays in place, inline or behind a ref); otherwise
        # added or removed branches are found by what they reference, their title or their type.
        pair_by(_identity, unique=False)
        pair_by(_title, unique=True)
        pair_by(_kind, unique=True)
    count = min(len(left), len(right))
    pairs.extend(zip(left[:count], right[:count], strict=True))
    return sorted(pairs), left[count:], right[count:]


def _name(side: Side, node: Node, index: int) -> str:
    value = node.value
    if isinstance(value, dict) and isinstance(value.get("$ref"), str):
        return f"`{value['$ref'].rsplit('/', 1)[-1]}`"
    title = _title(side, node)
    return f"`{title}`" if isinstance(title, str) else f"#{index + 1}"


def _targets(side: Side, node: Node, mapping: Any) -> dict[str, Any]:
    if not isinstance(mapping, dict):
        return {}
    targets: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, str) and ("#" in value or "/" in value):
            target = side.deref(Node(node.document, node.pointer, {"$ref": value}))
            targets[key] = value if target is None else (side.file_id(target.document), target.pointer)
        else:
            targets[key] = ("", f"/components/schemas/{value}")
    return targets


def _compare_discriminators(graph: SchemaGraph, base: Node, revision: Node, changes: list[Change]) -> None:
    old, new = base.value.get("discriminator"), revision.value.get("discriminator")
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return
    b = base.child("discriminator")
    r = revision.child("discriminator")
    if old.get("propertyName") != new.get("propertyName"):
        text = f"discriminator property `{old.get('propertyName')}` → `{new.get('propertyName')}`"
        _add(graph, changes, FacetChange("discriminator", "propertyName", changed=text), b, r)
    old_targets = _targets(graph.base, b, old.get("mapping"))
    new_targets = _targets(graph.revision, r, new.get("mapping"))
    removed = [key for key in old_targets if key not in new_targets]
    added = [key for key in new_targets if key not in old_targets]
    moved = [key for key in old_targets if key in new_targets and old_targets[key] != new_targets[key]]
    if moved:
        text = f"discriminator mapping {', '.join(f'`{key}`' for key in moved)} now points elsewhere"
        _add(graph, changes, FacetChange("discriminator", "mapping", changed=text), b, r)
    if removed or added:
        change = FacetChange(
            "discriminator",
            "mapping",
            narrowed=f"discriminator mapping {_keys(removed)} removed" if removed else None,
            widened=f"discriminator mapping {_keys(added)} added" if added else None,
        )
        _add(graph, changes, change, b, r)


def _keys(keys: list[str]) -> str:
    return ", ".join(f"`{key}`" for key in keys)
