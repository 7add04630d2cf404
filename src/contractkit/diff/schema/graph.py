"""Schema comparison as a graph of (base schema, revision schema) pairs, each compared once.

Comparing schemas recursively re-walks shared components once per use and never ends on recursive ones
(Stripe's expandable objects refer to each other in cycles). Instead every pair of schema nodes is a vertex,
compared once, holding its own changes and edges to its child pairs; identical pairs are never created.
Afterwards one backward breadth-first search from each pair holding changes says, for every pair that reaches
it, the next step towards it: an operation's findings are read off from its root along those steps. Cycles
are vertices already seen; the work is linear in the schemas plus the changes times the pairs reaching them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from contractkit.diff.sameness import Sameness
from contractkit.diff.schema.changes import Change, Step
from contractkit.diff.schema.compare import compare_pair
from contractkit.diff.schema.facets import Direction
from contractkit.diff.sides import Node, Side

# Pairs visited by the backward searches of all changes together before they give up; about a second's work.
_SEARCH_BUDGET = 2_000_000
# How many paths to one change are named, and how many steps finding them may take (per root and change).
MAX_PATHS = 5
_PATH_BUDGET = 200
SAME = -1
"""The index :meth:`SchemaGraph.pair` returns for two identical schemas."""


@dataclass(slots=True)
class _Pair:
    base: Node
    revision: Node
    broken: bool = False
    changes: list[Change] = field(default_factory=list)
    edges: list[tuple[Step, int]] = field(default_factory=list)


class SchemaGraph:
    """Every schema pair compared in one direction for one contract pair."""

    def __init__(self, base: Side, revision: Side, direction: Direction, sameness: Sameness) -> None:
        self.base = base
        self.revision = revision
        self.direction = direction
        self._index: dict[tuple[object, object], int] = {}
        self._pairs: list[_Pair] = []
        self._pending: list[int] = []
        self._marked: set[int] | None = None
        self._sameness = sameness
        self._towards: dict[int, dict[int, tuple[Step, int] | None]] | None = None
        self._reachable: dict[int, list[int]] = {}
        self._parents: dict[int, list[tuple[int, Step]]] = {}

    def __len__(self) -> int:
        return len(self._pairs)

    def pair(self, base: Node, revision: Node) -> int:
        """The vertex comparing the schemas ``base`` and ``revision`` stand for (refs followed).

        :data:`SAME` when they are provably identical: nothing below them can differ.
        """
        if self._sameness.same(base, revision):
            return SAME
        left, right = self.base.schema(base), self.revision.schema(revision)
        key = (
            ("broken", base.key) if left is None else left.key,
            ("broken", revision.key) if right is None else right.key,
        )
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self._pairs)
            # A broken ref is reported once for the document (from ``Side.broken``), not once per use.
            self._pairs.append(_Pair(left or base, right or revision, left is None or right is None))
            self._pending.append(index)
            self._marked = self._towards = None
        return index

    def link(self, edges: list[tuple[Step, int]], step: Step, base: Node, revision: Node) -> None:
        """Add an edge to the pair of ``base`` and ``revision`` unless they are identical."""
        index = self.pair(base, revision)
        if index != SAME:
            edges.append((step, index))

    def expand(self) -> None:
        """Compare every pair not compared yet (and the pairs those reach)."""
        while self._pending:
            pair = self._pairs[self._pending.pop()]
            if pair.broken:
                continue
            compare_pair(self, pair.base, pair.revision, pair.changes, pair.edges)

    def walk(self, root: int) -> Iterator[tuple[list[tuple[Step, ...]], Change]]:
        """Every change reachable from ``root``, each once, with the paths of steps to it (a shortest first).

        A schema shared by several fields (one `Money` for `price` and `discount`) is one change reached by
        several paths; up to :data:`MAX_PATHS` of them are given, so every field it affects can be named.
        """
        self.expand()
        if root == SAME:
            return
        if self._towards is None:
            self._index_changes()
        if self._towards is None:
            yield from self._walk_forward(root)
            return
        for holder in self._reachable.get(root, ()):
            hops, steps, here = self._towards[holder], [], root
            while here != holder:
                step, here = hops[here]  # type: ignore[misc]  # only the holder itself maps to None
                steps.append(step)
            shortest = tuple(steps)
            # Alternatives at most two steps longer than the shortest: fields near it, not detours through the graph.
            others = self._paths(root, holder, hops, len(shortest) + 2)
            paths = [shortest, *(path for path in others if path != shortest)]
            for change in self._pairs[holder].changes:
                yield [(*path, *change.steps) for path in paths[:MAX_PATHS]], change

    def _paths(
        self, root: int, holder: int, hops: dict[int, tuple[Step, int] | None], depth: int
    ) -> list[tuple[Step, ...]]:
        """Other paths from ``root`` to ``holder`` at most ``depth`` steps long that visit no pair twice.

        Depth first over the pairs that can reach the holder, one edge at a time, within a small budget of edges
        looked at: enough to name the few fields a shared schema sits under, never a search of the whole graph.
        """
        found: list[tuple[Step, ...]] = []
        budget = _PATH_BUDGET
        steps: list[Step] = []
        on_path = {root}
        stack = [(root, iter(self._pairs[root].edges))]
        while stack and budget > 0 and len(found) < MAX_PATHS:
            here, edges = stack[-1]
            advanced = False
            for step, child in edges:
                budget -= 1
                if child == holder:
                    found.append((*steps, step))
                elif child in hops and child not in on_path and len(steps) + 1 < depth:
                    steps.append(step)
                    on_path.add(child)
                    stack.append((child, iter(self._pairs[child].edges)))
                    advanced = True
                    break
                if budget <= 0 or len(found) >= MAX_PATHS:
                    break
            if not advanced:
                stack.pop()
                on_path.discard(here)
                if stack:
                    steps.pop()
        return found

    def _index_changes(self) -> None:
        """For every pair holding changes, the next step towards it from each pair that reaches it.

        One backward breadth-first search per holder: walking forward from every operation instead would
        cross the same shared schemas once per operation (Stripe: thousands of times). Gives up when the
        searches grow past a budget (everything changed), leaving :meth:`_walk_forward` to do the work.
        """
        parents: dict[int, list[tuple[int, Step]]] = {}
        for index, pair in enumerate(self._pairs):
            for step, child in pair.edges:
                parents.setdefault(child, []).append((index, step))
        towards: dict[int, dict[int, tuple[Step, int] | None]] = {}
        budget = _SEARCH_BUDGET
        for holder, pair in enumerate(self._pairs):
            if not pair.changes:
                continue
            hops: dict[int, tuple[Step, int] | None] = {holder: None}
            queue = deque([holder])
            while queue:
                here = queue.popleft()
                for parent, step in parents.get(here, ()):
                    if parent not in hops:
                        hops[parent] = (step, here)
                        queue.append(parent)
            budget -= len(hops)
            if budget < 0:
                self._parents = parents
                return
            towards[holder] = hops
        reachable: dict[int, list[int]] = {}
        for holder, hops in towards.items():
            for index in hops:
                reachable.setdefault(index, []).append(holder)
        self._towards, self._reachable, self._parents = towards, reachable, parents

    def _walk_forward(self, root: int) -> Iterator[tuple[list[tuple[Step, ...]], Change]]:
        marked = self._mark()
        if root not in marked:
            return
        seen = {root}
        queue: deque[tuple[int, tuple[Step, ...]]] = deque([(root, ())])
        while queue:
            index, steps = queue.popleft()
            pair = self._pairs[index]
            for change in pair.changes:
                yield [steps + change.steps], change
            for step, child in pair.edges:
                if child in marked and child not in seen:
                    seen.add(child)
                    queue.append((child, (*steps, step)))

    def _mark(self) -> set[int]:
        """The pairs from which at least one change is reachable."""
        if self._marked is None:
            marked = {index for index, pair in enumerate(self._pairs) if pair.changes}
            queue = deque(marked)
            while queue:
                for parent, _ in self._parents.get(queue.popleft(), ()):
                    if parent not in marked:
                        marked.add(parent)
                        queue.append(parent)
            self._marked = marked
        return self._marked
