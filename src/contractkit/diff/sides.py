"""One side of a comparison: a loaded workspace, how its files are named, and ``$ref`` following.

Nodes are (document, pointer, value) triples, so every node compared knows the file and pointer it really
comes from; positions are looked up only for the nodes that end up in findings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from contractkit.diff.findings import Location
from contractkit.loading import Document, RefError, RefRefused, Workspace
from contractkit.loading import pointer as jsonpointer
from contractkit.problems import display_path

# A chain of refs that only point at other refs, or nested single-part wrappers; longer than any honest contract.
_MAX_HOPS = 32
# Keywords that never change what a schema accepts; they do not make a `$ref` with siblings a new schema.
_ANNOTATIONS = frozenset(
    {"description", "title", "summary", "example", "examples", "$comment", "externalDocs", "xml", "deprecated"}
)
# Keywords that may sit next to a single `allOf` part or a null branch without changing what the wrapper means.
_WRAPPER_SIBLINGS = frozenset({"nullable", "readOnly", "writeOnly", "default"})
_NOTHING: dict[str, Any] = {"type": []}
_COMBINERS = ("allOf", "oneOf", "anyOf")


class Node(NamedTuple):
    """A value and the file and pointer it comes from; ``tag`` marks views built from several places."""

    document: Document
    pointer: str
    value: Any
    tag: str = ""
    # The `allOf` parts merged into this view (flattened), each where it really is; their own properties
    # live in them, not in ``value``.
    parts: tuple[Node, ...] = ()
    # For a merged view: the part each keyword's value came from, so its children resolve refs in the right file.
    origins: dict[str, Node] | None = None

    @property
    def key(self) -> tuple[int, str, str]:
        """Identity for memoising comparisons of this node."""
        return id(self.document), self.pointer, self.tag

    def child(self, *tokens: str | int) -> Node:
        """The node below this one (value ``None`` when missing); refs are not followed."""
        if self.origins and tokens and tokens[0] in self.origins:
            return self.origins[str(tokens[0])].child(*tokens)
        value, pointer = self.value, self.pointer
        for token in tokens:
            if isinstance(value, dict):
                value = value.get(str(token))
            elif isinstance(value, list) and isinstance(token, int) and 0 <= token < len(value):
                value = value[token]
            else:
                value = None
            pointer = jsonpointer.child(pointer, token)
        return Node(self.document, pointer, value)

    def get(self, key: str, default: Any = None) -> Any:
        """A member of this node's value when it is a mapping, else ``default``."""
        return self.value.get(key, default) if isinstance(self.value, dict) else default


class Side:
    """A contract as loaded for one side of the diff."""

    def __init__(self, workspace: Workspace, label: Callable[[Path], str] | None = None) -> None:
        self.workspace = workspace
        self.root = Node(workspace.root, "", workspace.root.data)
        self._label = label or display_path
        self._labels: dict[Path, str] = {}
        self._targets: dict[tuple[int, str], Node | None] = {}
        self._reasons: dict[tuple[int, str], str] = {}
        self._locations: dict[tuple[int, str], Location] = {}
        self._views: dict[tuple[int, str, str], Node | None] = {}
        # Broken refs met while comparing: (document, pointer of the `$ref` object) -> reason.
        self.broken: dict[tuple[Document, str], str] = {}

    def file_id(self, document: Document) -> str:
        """A name for ``document`` that is the same on both sides: its path relative to the root's folder."""
        root = self.workspace.root.path
        return "" if document.path == root else os.path.relpath(document.path, root.parent)

    @property
    def name(self) -> str:
        """How the root file is shown in reports."""
        return self.label(self.workspace.root.path)

    def label(self, path: Path) -> str:
        """How ``path`` is shown in reports (relative path, or ``REF:path`` for a git side)."""
        shown = self._labels.get(path)
        if shown is None:
            shown = self._labels[path] = self._label(path)
        return shown

    def location(self, document: Document, pointer: str) -> Location:
        """Where ``pointer`` of ``document`` is, for a finding (one lookup per place: shared schemas repeat)."""
        key = (id(document), pointer)
        found = self._locations.get(key)
        if found is None:
            found = self._locations[key] = Location(self.label(document.path), document.position(pointer).line, pointer)
        return found

    def deref(self, node: Node) -> Node | None:
        """``node`` with every ``$ref`` followed; ``None`` (and the reason kept in ``broken``) when one is broken.

        A ref must lead to an object (or, for a schema, a boolean): one that leads to a number or a
        string is broken too, not an empty object that would hide every change behind it.
        """
        site: Node | None = None
        for _ in range(_MAX_HOPS):
            value = node.value
            ref = value.get("$ref") if isinstance(value, dict) else None
            if not isinstance(ref, str):
                if site is not None and not isinstance(value, dict | bool):
                    self.broken.setdefault(
                        (site.document, site.pointer),
                        f"$ref {site.value['$ref']!r} leads to {value!r:.40}, not an object",
                    )
                    return None
                return node
            cache_key = (id(node.document), ref)
            target = self.target(node.document, ref)
            if target is None:
                self.broken.setdefault((node.document, node.pointer), self._reasons[cache_key])
                return None
            site = site or node
            node = target
        self.broken.setdefault((node.document, node.pointer), "the reference chain does not end")
        return None

    def target(self, document: Document, ref: str) -> Node | None:
        """Where ``ref`` written in ``document`` leads (one hop, cached); ``None`` when it is broken."""
        cache_key = (id(document), ref)
        if cache_key in self._targets:
            return self._targets[cache_key]
        try:
            resolved = self.workspace.resolve(document, ref)
        except RefRefused as exc:
            self._reasons[cache_key] = f"refused $ref {ref!r}: {exc.message}"
            found = None
        except RefError as exc:
            self._reasons[cache_key] = f"broken $ref {ref!r}: {exc.message}"
            found = None
        else:
            found = Node(resolved.document, resolved.pointer, resolved.value)
        self._targets[cache_key] = found
        return found

    def schema(self, node: Node) -> Node | None:
        """The schema ``node`` stands for, with refs followed and wrappers that change nothing taken off.

        A `$ref` with constraining siblings (3.1) gets them laid over its target; `allOf: [X]` and
        `oneOf|anyOf: [X, {type: 'null'}]` (the usual ways to add a description or null to a ref) become X
        (with `null` added for the second). Booleans become the schema they mean.
        """
        return self._schema(node, frozenset())

    def _schema(self, node: Node, active: frozenset[tuple[int, str, str]]) -> Node | None:
        # Views are cached: shared schemas are asked for again and again. `active` holds the views being built
        # around this one, so an `allOf` that includes itself (directly or not) stops instead of growing forever.
        key = node.key
        if key in self._views:
            return self._views[key]
        view = self._build(node, active)
        self._views[key] = view
        return view

    def _build(self, node: Node, active: frozenset[tuple[int, str, str]]) -> Node | None:
        target = self.deref(node)
        if target is None:
            return None
        if not isinstance(target.value, dict):
            target = target._replace(value=_NOTHING if target.value is False else {})
        raw = node.value
        if raw is not target.value and isinstance(raw, dict) and "$ref" in raw and len(raw) > 1:
            overlay = {key: item for key, item in raw.items() if _constrains(key) and key != "$ref"}
            if overlay:
                target = Node(node.document, node.pointer, {**target.value, **overlay}, "siblings")
        if target.key in active or len(active) >= _MAX_HOPS:
            return target
        active = active | {target.key}
        wrapped = _wrapped(target.value)
        if wrapped is None:
            return self._merged(target, active) if isinstance(target.value.get("allOf"), list) else target
        keyword, index, add_null = wrapped
        inner = self._schema(target.child(keyword, index), active)
        if inner is None:
            return None
        merged = dict(inner.value)
        merged.update((key, item) for key, item in target.value.items() if key in _WRAPPER_SIBLINGS)
        if add_null:
            merged["type"] = _with_null(merged.get("type"))
        return Node(inner.document, inner.pointer, merged, f"{inner.tag}+{keyword}")

    def merge(self, nodes: list[Node]) -> Node | None:
        """One view of several schemas that all apply (a property declared in more than one `allOf` part)."""
        views = [view for view in map(self.schema, nodes) if view is not None]
        if not views:
            return None
        first, others = views[0], views[1:]
        parts = [node for view in others for node in (view, *view.parts)]
        tag = "&".join(view.pointer for view in others)
        return self._combine(first._replace(tag=f"{first.tag}+merge:{tag}"), [*first.parts, *parts])

    def _merged(self, target: Node, active: frozenset[tuple[int, str, str]]) -> Node:
        """``target`` with its `allOf` parts merged: their keywords join its own, their properties stay in them."""
        parts: dict[tuple[int, str, str], Node] = {}
        for index in range(len(target.value["allOf"])):
            part = self._schema(target.child("allOf", index), active)
            if part is not None:
                parts.update((node.key, node) for node in (part, *part.parts) if node.key not in active)
        return self._combine(target._replace(tag=f"{target.tag}+allOf"), list(parts.values()))

    @staticmethod
    def _combine(target: Node, parts: list[Node]) -> Node:
        merged: dict[str, Any] = {}
        origins: dict[str, Node] = {}
        for part in reversed(parts):
            merged.update(part.value)
            origins.update(dict.fromkeys(part.value, part))
        merged.update(target.value)
        for key in target.value:
            origins.pop(key, None)
        merged.pop("allOf", None)
        required = [name for node in (target, *parts) for name in _strings(node.value.get("required"))]
        if required:
            merged["required"] = list(dict.fromkeys(required))
        merged["properties"] = target.value.get("properties")
        return Node(target.document, target.pointer, merged, target.tag, tuple(parts), origins or None)


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _constrains(key: str) -> bool:
    return key not in _ANNOTATIONS and not key.startswith("x-")


def _wrapped(schema: dict[str, Any]) -> tuple[str, int, bool] | None:
    """(keyword, index of the real part, whether null is added) when ``schema`` only wraps one other schema."""
    if any(_constrains(key) and key not in _WRAPPER_SIBLINGS for key in schema if key not in _COMBINERS):
        return None
    present = [key for key in _COMBINERS if key in schema]
    if len(present) != 1:
        return None
    keyword = present[0]
    parts = schema[keyword]
    if not isinstance(parts, list):
        return None
    if keyword == "allOf":
        return (keyword, 0, False) if len(parts) == 1 else None
    real = [index for index, part in enumerate(parts) if not _is_null(part)]
    return (keyword, real[0], len(parts) > 1) if len(real) == 1 else None


def _is_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    return (
        kind == "null"
        or kind == ["null"]
        or schema.get("enum") == [None]
        or ("const" in schema and schema["const"] is None)
    )


def _with_null(kind: Any) -> Any:
    if kind is None:
        return None
    kinds = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
    return kinds if "null" in kinds else [*kinds, "null"]
