"""What every check receives: the contract's index, its operations, and ref resolution."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from contractkit.lint.index import Index, build_index
from contractkit.lint.model import Node, OperationView, ParameterView, ResponseView
from contractkit.lint.refs import Refs
from contractkit.loading import Document, Workspace
from contractkit.loading import pointer as jsonpointer
from contractkit.loading.structure import HTTP_METHODS


class LintContext:
    """A loaded contract, walked once; checks read it and never change it."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.root: Document = workspace.root
        self.spec: dict[str, Any] = workspace.root.data if isinstance(workspace.root.data, dict) else {}
        self.refs = Refs(workspace)
        self.index: Index = build_index(self.root, self.refs)

    @property
    def root_node(self) -> Node:
        """The whole root document."""
        return Node(self.root, "", self.spec)

    @property
    def is_openapi_30(self) -> bool:
        """OpenAPI 3.0 (schemas are not quite JSON Schema: ``nullable``, boolean ``exclusiveMinimum``)."""
        version = self.spec.get("openapi")
        return isinstance(version, str) and version.startswith("3.0")

    def follow(self, node: Node) -> Node:
        """``node`` with every ``$ref`` followed (itself when not a ref or broken)."""
        return self.refs.follow(node)

    @cached_property
    def operations(self) -> list[OperationView]:
        """Every operation under ``paths``, in document order."""
        paths = self.spec.get("paths")
        if not isinstance(paths, dict):
            return []
        root_security = self.spec.get("security")
        found: list[OperationView] = []
        for path, item in paths.items():
            if path.startswith("x-"):
                continue
            site = Node(self.root, f"/paths/{jsonpointer.escape(path)}", item)
            path_item = self.follow(site)
            if not isinstance(path_item.value, dict):
                continue
            shared = self._parameters(path_item.child("parameters"))
            for method in HTTP_METHODS:
                operation = path_item.child(method)
                if not isinstance(operation.value, dict):
                    continue
                own = self._parameters(operation.child("parameters"))
                view = OperationView(path, method, operation, site)
                view.parameters = _merge(shared, own)
                view.responses = self._responses(operation.child("responses"))
                view.security = operation.value.get("security", root_security)
                found.append(view)
        return found

    @cached_property
    def paths(self) -> dict[str, tuple[Node, list[OperationView]]]:
        """Every path template: where it is declared and its operations (possibly none)."""
        grouped: dict[str, tuple[Node, list[OperationView]]] = {}
        paths = self.spec.get("paths")
        for path, item in paths.items() if isinstance(paths, dict) else ():
            if not path.startswith("x-"):
                grouped[path] = (Node(self.root, f"/paths/{jsonpointer.escape(path)}", item), [])
        for operation in self.operations:
            grouped[operation.path][1].append(operation)
        return grouped

    def _parameters(self, listed: Node) -> list[ParameterView]:
        if not isinstance(listed.value, list):
            return []
        views = []
        for position in range(len(listed.value)):
            site = listed.child(position)
            target = self.follow(site)
            if isinstance(target.value, dict):
                views.append(ParameterView(site, target))
        return views

    def _responses(self, responses: Node) -> dict[str, ResponseView]:
        if not isinstance(responses.value, dict):
            return {}
        views = {}
        for status in responses.value:
            if status.startswith("x-"):
                continue
            site = responses.child(status)
            views[status] = ResponseView(status, site, self.follow(site))
        return views


def _merge(shared: list[ParameterView], own: list[ParameterView]) -> list[ParameterView]:
    # An operation's parameter replaces the path item's one with the same name and location.
    replaced = {(view.location, view.name) for view in own}
    return [view for view in shared if (view.location, view.name) not in replaced] + own
