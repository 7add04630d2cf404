"""Turn a contract spread over several files into one self-contained OpenAPI document."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any, NoReturn

from contractkit.bundle.naming import ComponentNames, wanted_name
from contractkit.loading import Document, LimitExceeded, LoadPolicy, RefError, Resolved, Workspace
from contractkit.loading import pointer as jsonpointer
from contractkit.loading.limits import describe
from contractkit.loading.structure import COMPONENT_SECTIONS, Kind, Shape, field
from contractkit.problems import Problem

# Path items are inlined rather than moved to `components/pathItems`: that section is 3.1-only
# and many tools (code generators, gateways) still do not follow refs into it.
_INLINED_KINDS = frozenset({Kind.PATH_ITEM})
# Order for components sections the root did not have yet, so output never depends on discovery.
_SECTION_ORDER = tuple(section for kind, section in COMPONENT_SECTIONS.items() if kind not in _INLINED_KINDS)

_TargetKey = tuple[Path, str, str]


class BundleError(Exception):
    """The contract cannot be bundled: some ``$ref`` is broken or refs inline themselves forever."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.format() for problem in problems))
        self.problems = problems


def bundle(path: Path | str, policy: LoadPolicy | None = None) -> dict[str, Any]:
    """Load the contract at ``path`` and return it as one document with no external ``$ref``.

    Every external target is copied into ``components`` under the section its use calls for
    (schemas, parameters, responses, headers, examples, requestBodies, links, securitySchemes,
    callbacks) with the target's own name, made unique with ``_2``, ``_3``... on collision.
    Refs into the root file become local. Key order follows the sources; the same input always
    gives the same output. ``policy`` sets the root files must stay in and the limits (see
    :class:`~contractkit.loading.LoadPolicy`). Raises :class:`BundleError` for broken or refused refs,
    :class:`~contractkit.loading.LimitExceeded` past a limit (the bundle's own nesting and what
    inlining adds included) and :class:`~contractkit.loading.LoadError` if the root cannot be read.
    """
    return bundle_workspace(Workspace(Path(path), policy))


def bundle_workspace(workspace: Workspace) -> dict[str, Any]:
    """:func:`bundle` for an already loaded workspace."""
    if not isinstance(workspace.root.data, dict):
        root = workspace.root
        raise BundleError([Problem(root.path, 1, "", "an OpenAPI document must be a mapping at the top level")])
    problems = workspace.check_refs()
    if problems:
        raise BundleError(problems)
    return _Bundler(workspace).run()


class _Bundler:
    """One bundling pass: copies the root, queueing each external target once, then copies the queue."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._root = workspace.root
        components = _components(self._root.data)
        self._names = ComponentNames({s: v.keys() for s, v in components.items() if isinstance(v, dict)})
        self._assigned: dict[_TargetKey, str] = {}
        self._pending: deque[tuple[str, str, Resolved, Kind]] = deque()
        self._inlining: list[tuple[Path, str]] = []
        # Objects inlined more than once are copies of copies: a few refs to a path item that refers
        # to others grow the bundle by a power. The nodes of every copy after the first are counted.
        self._inlined: set[tuple[Path, str]] = set()
        self._repeated = 0
        self._counting = False
        self._limits = workspace.limits
        self._adopt_aliases(components)

    def run(self) -> dict[str, Any]:
        result = self._copy(self._root, self._root.data, Kind.DOCUMENT, 1)
        added: dict[str, dict[str, Any]] = {}
        while self._pending:
            section, name, target, kind = self._pending.popleft()
            added.setdefault(section, {})[name] = self._copy(target.document, target.value, kind, 4)
        if added:
            components = result.setdefault("components", {})
            if not isinstance(components, dict):
                self._cannot_add("/components")
            for section in sorted(added, key=_SECTION_ORDER.index):
                # Existing sections keep their place; assigning an adopted alias's name replaces it in place.
                entries = components.setdefault(section, {})
                if not isinstance(entries, dict):
                    self._cannot_add(f"/components/{section}")
                entries.update(added[section])
        return dict(result)

    def _cannot_add(self, pointer: str) -> NoReturn:
        message = "is not a mapping, so the objects other files hold cannot be added to it"
        raise BundleError([self._problem(self._root, pointer, message)])

    def _adopt_aliases(self, components: dict[str, Any]) -> None:
        """Let ``components/schemas/Money: {$ref: ../shared/money.yaml#/Money}`` hold Money itself.

        Re-exporting a shared object under a root component name is common; without this the
        bundle would carry ``Money`` pointing at ``Money_2``.
        """
        for kind, section in COMPONENT_SECTIONS.items():
            entries = components.get(section)
            if kind in _INLINED_KINDS or not isinstance(entries, dict):
                continue
            for name, entry in entries.items():
                if not (isinstance(entry, dict) and len(entry) == 1 and isinstance(entry.get("$ref"), str)):
                    continue
                target = self._resolve(self._root, entry["$ref"])
                key = (target.document.path, target.pointer, section)
                if target.document is not self._root and key not in self._assigned:
                    self._assigned[key] = name
                    self._pending.append((section, name, target, kind))

    def _copy(self, document: Document, value: Any, kind: Kind, depth: int) -> Any:
        """Deep-copy an object of ``kind`` placed at nesting level ``depth``, rewriting every ``$ref`` it holds."""
        if not isinstance(value, dict):
            return self._literal(value, depth)
        if depth > self._limits.depth:
            self._too_deep(document)
        ref = value.get("$ref")
        rewritten = self._rewrite(document, ref, kind, depth) if isinstance(ref, str) else None
        if isinstance(rewritten, dict):
            return rewritten
        copied: dict[str, Any] = {}
        for key, item in value.items():
            if key == "$ref" and rewritten is not None:
                copied[key] = rewritten
                continue
            spec = field(kind, key)
            if spec is not None:
                copied[key] = self._copy_field(document, item, *spec, depth + 1)
            elif kind is Kind.SCHEMA and key == "discriminator" and isinstance(item, dict):
                copied[key] = self._copy_discriminator(document, item, depth + 1)
            else:
                copied[key] = self._literal(item, depth + 1)
        self._count(len(copied))
        return copied

    def _copy_field(self, document: Document, value: Any, kind: Kind, shape: Shape, depth: int) -> Any:
        if shape is Shape.ONE and not isinstance(value, list):
            return self._copy(document, value, kind, depth)
        if shape in (Shape.ONE, Shape.LIST):
            # A list where one object was expected is old-style `items: [...]`: copy each.
            if not isinstance(value, list):
                return self._literal(value, depth)
            return [self._copy(document, item, kind, depth + 1) for item in value]
        if not isinstance(value, dict):
            return self._literal(value, depth)
        return {
            key: self._literal(item, depth + 1)
            if shape is Shape.PATTERNED and key.startswith("x-")
            else self._copy(document, item, kind, depth + 1)
            for key, item in value.items()
        }

    def _copy_discriminator(self, document: Document, discriminator: dict[str, Any], depth: int) -> dict[str, Any]:
        copied: dict[str, Any] = self._literal(discriminator, depth)
        mapping = copied.get("mapping")
        if isinstance(mapping, dict):
            for key, target in mapping.items():
                # Mapping values are schema names or refs; only refs (with '#' or a path) move.
                if isinstance(target, str) and ("#" in target or "/" in target):
                    rewritten = self._rewrite(document, target, Kind.SCHEMA, depth)
                    if isinstance(rewritten, str):
                        mapping[key] = rewritten
        return copied

    def _rewrite(self, document: Document, ref: str, kind: Kind, depth: int) -> str | dict[str, Any]:
        """The new text for ``ref``, or the inlined target when its kind has no components section."""
        target = self._resolve(document, ref)
        if target.document is self._root:
            return ref if document is self._root and ref.startswith("#") else "#" + target.pointer
        section = COMPONENT_SECTIONS.get(kind)
        if section is None or kind in _INLINED_KINDS:
            return self._inline(target, kind, depth)
        key = (target.document.path, target.pointer, section)
        name = self._assigned.get(key)
        if name is None:
            name = self._names.allocate(section, wanted_name(target.document.path, target.pointer))
            self._assigned[key] = name
            self._pending.append((section, name, target, kind))
        return f"#/components/{section}/{jsonpointer.escape(name)}"

    def _inline(self, target: Resolved, kind: Kind, depth: int) -> dict[str, Any]:
        key = (target.document.path, target.pointer)
        if key in self._inlining:
            raise BundleError([self._problem(target.document, target.pointer, "this object includes itself")])
        repeated = key in self._inlined
        self._inlined.add(key)
        self._inlining.append(key)
        counted = self._counting
        self._counting = counted or repeated
        try:
            copied = self._copy(target.document, target.value, kind, depth)
        finally:
            self._inlining.pop()
            self._counting = counted
        return copied if isinstance(copied, dict) else {"value": copied}

    def _literal(self, value: Any, depth: int) -> Any:
        """A deep copy of plain data, so the bundle never shares containers with the loaded files."""
        if isinstance(value, dict):
            if depth > self._limits.depth:
                self._too_deep(self._root)
            self._count(len(value))
            return {key: self._literal(item, depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            if depth > self._limits.depth:
                self._too_deep(self._root)
            self._count(len(value))
            return [self._literal(item, depth + 1) for item in value]
        return value

    def _count(self, nodes: int) -> None:
        if self._counting:
            self._repeated += nodes
            if self._repeated > self._limits.expansion:
                limit = describe("expansion", self._limits.expansion)
                message = f"objects inlined more than once add more nodes to the bundle than {limit} allows"
                raise LimitExceeded(self._root.path, message)

    def _too_deep(self, document: Document) -> None:
        limit = describe("depth", self._limits.depth)
        raise LimitExceeded(document.path, f"the bundle would nest deeper than {limit} allows (inlined objects)")

    def _resolve(self, document: Document, ref: str) -> Resolved:
        try:
            return self._workspace.resolve(document, ref)
        except RefError as exc:
            # check_refs() only walks reachable refs; this catches refs only the bundler follows.
            raise BundleError([self._problem(document, "", f"broken $ref {ref!r}: {exc.message}")]) from None

    @staticmethod
    def _problem(document: Document, pointer: str, message: str) -> Problem:
        where = document.position(pointer)
        return Problem(document.path, where.line, pointer, message, where.column)


def _components(data: Any) -> dict[str, Any]:
    components = data.get("components") if isinstance(data, dict) else None
    return components if isinstance(components, dict) else {}
