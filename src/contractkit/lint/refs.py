"""Following ``$ref``s for checks: one hop or a whole chain, cached, never raising for a broken one.

A ref that leads nowhere, or to a file contractkit will not read, is remembered where it is written
(:attr:`Refs.unresolved`), so the report says which findings rest on something lint could not see.
"""

from __future__ import annotations

from contractkit.lint.model import Node
from contractkit.loading import RefError, RefRefused, Workspace

# Longer chains of refs to refs are cycles in practice; validate reports them.
_MAX_HOPS = 64


class Refs:
    """Resolves ``$ref`` objects through the workspace, so nodes keep the file that really holds them."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        # Big documents repeat the same few thousand refs many times; resolving parses each once.
        self._targets: dict[tuple[int, str], Node | None] = {}
        self._reasons: dict[tuple[int, str], str] = {}
        # (document id, pointer of the `$ref` object) -> (that object, why it leads nowhere).
        self.unresolved: dict[tuple[int, str], tuple[Node, str]] = {}

    def target(self, node: Node) -> Node | None:
        """Where ``node``'s ``$ref`` leads (one hop); ``None`` when it has none or it is broken."""
        value = node.value
        ref = value.get("$ref") if type(value) is dict else None
        if type(ref) is not str:
            return None
        key = (id(node.document), ref)
        if key in self._targets:
            target = self._targets[key]
        else:
            try:
                found = self._workspace.resolve(node.document, ref)
                target = Node(found.document, found.pointer, found.value)
            except RefRefused as exc:
                target, self._reasons[key] = None, f"refused $ref {ref!r}: {exc.message}"
            except RefError as exc:
                target, self._reasons[key] = None, f"broken $ref {ref!r}: {exc.message}"
            self._targets[key] = target
        if target is None:
            self.unresolved.setdefault((id(node.document), node.pointer), (node, self._reasons[key]))
        return target

    def follow(self, node: Node) -> Node:
        """The object ``node`` stands for after every ``$ref`` hop (itself when not a ref or when broken)."""
        value = node.value
        if type(value) is not dict or "$ref" not in value:
            return node  # the common case, answered without a call
        for _ in range(_MAX_HOPS):
            target = self.target(node)
            if target is None:
                return node
            node = target
        return node
