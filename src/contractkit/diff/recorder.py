"""Collects the findings of one contract pair, turning places into locations and changes into sentences."""

from __future__ import annotations

from dataclasses import dataclass, replace

from contractkit.diff.catalog import CHECKS
from contractkit.diff.findings import Finding, Location, Scope
from contractkit.diff.sameness import Sameness
from contractkit.diff.schema.changes import field_tokens, render
from contractkit.diff.schema.facets import Direction
from contractkit.diff.schema.graph import SAME, SchemaGraph
from contractkit.diff.sides import Node, Side
from contractkit.loading import Document

Place = tuple[Document, str]


@dataclass(frozen=True, slots=True)
class _Root:
    graph: SchemaGraph
    index: int
    where: str
    operation: str | None
    scope: Scope


@dataclass(frozen=True, slots=True)
class Subject:
    """One thing being compared (a parameter, a response...): where it is on both sides, in which operation."""

    recorder: Recorder
    where: str
    base: Place | None
    revision: Place | None
    operation: str | None
    scope: Scope

    def add(self, check_id: str, detail: str) -> None:
        """Record a finding about this subject."""
        self.recorder.add(
            check_id, self.where, detail, self.base, self.revision, operation=self.operation, scope=self.scope
        )


class Recorder:
    """The findings of one contract pair, in the order they were found."""

    def __init__(self, base: Side | None, revision: Side | None) -> None:
        self.base = base
        self.revision = revision
        self._findings: dict[tuple[object, ...], Finding] = {}
        self._roots: list[_Root] = []
        self._graphs: dict[Direction, SchemaGraph] = {}
        self.sameness: Sameness | None = None
        if base is not None and revision is not None:
            self.sameness = Sameness(base, revision)
            self._graphs = {direction: SchemaGraph(base, revision, direction, self.sameness) for direction in Direction}

    def add(
        self,
        check_id: str,
        where: str,
        detail: str,
        base: Place | None,
        revision: Place | None,
        *,
        operation: str | None,
        scope: Scope,
        field: str | None = None,
        also: tuple[str, ...] = (),
    ) -> None:
        """Record one finding; the same check at the same places for the same operation and field counts once."""
        check = CHECKS[check_id]
        named = f"field `{field}`" + (f" (also {', '.join(f'`{other}`' for other in also)})" if also else "")
        subject = f"{where}, {named}" if where and field else where or (named if field else "")
        text = f"{subject}: {detail}" if subject else detail
        message = f"{text[:1].upper()}{text[1:]}; {check.impact}."
        finding = Finding(
            check,
            operation,
            message,
            self._location(self.base, base),
            self._location(self.revision, revision),
            field or None,
            also,
            scope,
        )
        key = (check_id, operation, where, finding.base, finding.revision, field, scope.status)
        self._findings.setdefault(key, finding)

    def same(self, base: Node, revision: Node) -> bool:
        """True when two nodes are provably identical, refs included (see :class:`Sameness`)."""
        return self.sameness is not None and self.sameness.same(base, revision)

    def sides(self) -> tuple[Side, Side]:
        """Both sides; only called where two operations were matched, so both exist."""
        if self.base is None or self.revision is None:
            raise ValueError("this comparison needs both sides")
        return self.base, self.revision

    def subject(
        self, where: str, base: Place | None, revision: Place | None, operation: str | None, scope: Scope
    ) -> Subject:
        """A :class:`Subject` that records into this recorder."""
        return Subject(self, where, base, revision, operation, scope)

    def schema(
        self, direction: Direction, base: Node, revision: Node, where: str, operation: str | None, scope: Scope
    ) -> None:
        """Compare two schemas in ``direction``; their findings are recorded by :meth:`finish`."""
        graph = self._graphs[direction]
        index = graph.pair(base, revision)
        if index != SAME:
            self._roots.append(_Root(graph, index, where, operation, scope))

    def finish(self) -> list[Finding]:
        """Every finding, schema findings included."""
        for root in self._roots:
            for paths, change in root.graph.walk(root.index):
                rendered: dict[str, tuple[str, ...]] = {}
                for steps in paths:
                    rendered.setdefault(render(steps), field_tokens(steps))
                shown = list(rendered)
                scope = replace(root.scope, fields=tuple(rendered.values()))
                self.add(
                    change.check,
                    root.where,
                    change.detail,
                    change.base,
                    change.revision,
                    operation=root.operation,
                    scope=scope,
                    field=shown[0],
                    also=tuple(shown[1:]),
                )
        self._roots.clear()
        return list(self._findings.values())

    @staticmethod
    def _location(side: Side | None, place: Place | None) -> Location | None:
        if side is None or place is None:
            return None
        return side.location(*place)
