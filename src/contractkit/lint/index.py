"""One walk over every OpenAPI object a contract reaches, collecting what the checks look at.

The root document is walked whole (components included, used or not); other files only where a
``$ref`` leads, each target once however many refs point at it. Every node keeps the file and
pointer that really hold it, so a finding about a shared schema lands in the shared file, once.
The walk is iterative and touches each object once: on GitHub's 13 MB description it visits
about 57,000 objects in a tenth of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contractkit.lint.model import (
    HeaderView,
    MediaTypeView,
    Node,
    Origin,
    PropertyView,
    RefView,
    SchemaView,
    escape_token,
)
from contractkit.lint.refs import Refs
from contractkit.loading import Document, Kind
from contractkit.loading import pointer as jsonpointer
from contractkit.loading.structure import FIELDS, Shape
from contractkit.loading.structure import field as structure_field

# Parts of the root that the typed walk covers; refs into other parts of it are walked on their own.
_WALKED_ROOT_FIELDS = frozenset({"paths", "webhooks", "components"})
# Fields whose map keys are names the checks need (property, header and media type names).
_NAMING_FIELDS = frozenset({"properties", "headers", "content"})


@dataclass(slots=True)
class Index:
    """Every object of a kind the checks care about, each physical node once."""

    schemas: list[SchemaView] = field(default_factory=list)
    properties: list[PropertyView] = field(default_factory=list)
    parameters: list[Node] = field(default_factory=list)
    headers: list[HeaderView] = field(default_factory=list)
    media_types: list[MediaTypeView] = field(default_factory=list)
    refs: list[RefView] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


_Item = tuple[Node, Kind, Origin]
# Bound once: the walk compares against these for every object of the contract.
_SCHEMA, _PARAMETER, _HEADER, _MEDIA_TYPE, _CALLBACK = (
    Kind.SCHEMA, Kind.PARAMETER, Kind.HEADER, Kind.MEDIA_TYPE, Kind.CALLBACK
)  # fmt: skip
_ONE, _LIST, _PATTERNED = Shape.ONE, Shape.LIST, Shape.PATTERNED
_BODY_ORIGIN, _PARAMETER_ORIGIN, _HEADER_ORIGIN = Origin.BODY, Origin.PARAMETER, Origin.HEADER


class _Walker:
    def __init__(self, root: Document, refs: Refs) -> None:
        self.root = root
        self.refs = refs
        self.index = Index(documents=[root])
        self.walked: set[tuple[str, str]] = set()
        self.stack: list[_Item] = [(Node(root, "", root.data), Kind.DOCUMENT, Origin.COMPONENT)]

    def run(self) -> Index:
        while self.stack:
            self.visit(*self.stack.pop())
        return self.index

    def visit(self, node: Node, kind: Kind, origin: Origin) -> None:
        value = node.value
        if type(value) is not dict:
            return
        if type(value.get("$ref")) is str:
            self.follow_ref(node, kind, origin)
        if kind is _SCHEMA:
            self.index.schemas.append(SchemaView(node, origin))
        elif kind is _PARAMETER:
            if "$ref" not in value:
                self.index.parameters.append(node)
            origin = _HEADER_ORIGIN if value.get("in") == "header" else _PARAMETER_ORIGIN
        elif kind is _HEADER:
            origin = _HEADER_ORIGIN
        elif kind is _MEDIA_TYPE:
            origin = _BODY_ORIGIN
        # The field table is read directly (not through `structure.field`): this loop runs for every
        # key of every object of the contract.
        fields = FIELDS[kind]
        document, pointer, push = node.document, node.pointer, self.stack.append
        for key, child in value.items():
            spec = fields.get(key) if kind is not _CALLBACK else structure_field(kind, key)
            if spec is None:
                continue
            child_kind, shape = spec
            base = f"{pointer}/{escape_token(key)}"
            if key in _NAMING_FIELDS:
                self.record_named(node, kind, key, child, base)
            # The members to walk next, in the order the stack has always received them.
            if shape is _ONE and type(child) is not list:
                push((Node(document, base, child), child_kind, origin))
            elif shape is _ONE or shape is _LIST:
                if type(child) is list:
                    for position, item in enumerate(child):
                        push((Node(document, f"{base}/{position}", item), child_kind, origin))
            elif type(child) is dict:
                patterned = shape is _PATTERNED
                for name, item in child.items():
                    if patterned and name.startswith("x-"):
                        continue
                    push((Node(document, f"{base}/{escape_token(name)}", item), child_kind, origin))

    def record_named(self, node: Node, kind: Kind, key: str, child: Any, base: str) -> None:
        # Names live in the map that holds an object, not in the object: record them here.
        if not isinstance(child, dict):
            return
        document = node.document
        if kind is Kind.SCHEMA and key == "properties":
            for name, item in child.items():
                entry = Node(document, f"{base}/{escape_token(name)}", item)
                self.index.properties.append(PropertyView(node, name, entry))
        elif key == "headers" and kind in (Kind.RESPONSE, Kind.ENCODING):
            for name, item in child.items():
                entry = Node(document, f"{base}/{escape_token(name)}", item)
                self.index.headers.append(HeaderView(name, entry, self.refs.follow(entry)))
        elif key == "content" and kind in (Kind.RESPONSE, Kind.REQUEST_BODY, Kind.PARAMETER, Kind.HEADER):
            for name, item in child.items():
                entry = Node(document, f"{base}/{escape_token(name)}", item)
                self.index.media_types.append(MediaTypeView(name, entry))

    def follow_ref(self, node: Node, kind: Kind, origin: Origin) -> None:
        target = self.refs.target(node)
        self.index.refs.append(RefView(node, target))
        if target is None or not self.first_visit(target):
            return
        if target.document not in self.index.documents:
            self.index.documents.append(target.document)
        self.stack.append((target, kind, origin))

    def first_visit(self, target: Node) -> bool:
        if target.document is self.root:
            tokens = jsonpointer.split(target.pointer)
            if tokens and tokens[0] in _WALKED_ROOT_FIELDS:
                return False
        path = str(target.document.path)
        pointer = target.pointer
        while True:
            if (path, pointer) in self.walked:
                return False
            if not pointer:
                break
            pointer = jsonpointer.parent(pointer)
        self.walked.add((path, target.pointer))
        return True


def build_index(root: Document, refs: Refs) -> Index:
    """Walk ``root`` and every file its refs reach; see the module docstring."""
    return _Walker(root, refs).run()
