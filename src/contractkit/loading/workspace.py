"""A root contract plus every file its ``$ref``s reach, with refs resolved across files.

Every file goes through one door, :meth:`Workspace.document`: the :class:`~contractkit.loading.boundary.Boundary`
admits it (inside the root, YAML or JSON, not in ``.git``), the reader checks it is a regular file of
at most ``Limits.file_size`` bytes, and the workspace counts files, bytes and ``$ref`` keys against
the other limits. A refused file becomes a refused ``$ref`` (a finding); a limit stops the command.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from contractkit.loading import pointer as jsonpointer
from contractkit.loading.boundary import Boundary
from contractkit.loading.document import Document, Position
from contractkit.loading.errors import LimitExceeded, LoadError, ParseFailure, RefError, RefRefused, RefusedFile
from contractkit.loading.limits import describe
from contractkit.loading.policy import LoadPolicy
from contractkit.loading.reader import read_text
from contractkit.loading.structure import Kind, iter_objects, object_name, value_kind
from contractkit.problems import Problem

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# A chain of refs that only point at other refs; longer than any honest contract needs.
_MAX_REF_HOPS = 64


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where a ``$ref`` (or a pointer walked through refs) ends: document, pointer and value."""

    document: Document
    pointer: str
    value: Any


@dataclass(frozen=True, slots=True)
class RefSite:
    """One ``$ref`` in a document: the object holding it and the reference text."""

    document: Document
    pointer: str
    ref: str
    # The kind of object the ref stands for, from where it appears.
    kind: Kind


class Workspace:
    """Loads a root document and, on demand, the files its ``$ref``s name; resolves refs between them.

    Files are parsed once and cached. Nothing here raises for a broken or refused ``$ref`` found by
    :meth:`check_refs`: those become :class:`~contractkit.problems.Problem` values. A limit met while
    loading any file raises :class:`~contractkit.loading.errors.LimitExceeded` wherever it is met.
    """

    def __init__(self, root: Path | Document, policy: LoadPolicy | None = None) -> None:
        """Load ``root``; raises :class:`~contractkit.loading.errors.LoadError` if it cannot be loaded.

        ``policy`` gives the root folder files must stay in and the limits (default: the contract's
        repository, else its folder, and the default :class:`~contractkit.loading.limits.Limits`).
        """
        self.policy = policy if policy is not None else LoadPolicy()
        self.limits = self.policy.limits
        self._documents: dict[Path, Document] = {}
        self._failures: dict[Path, LoadError] = {}
        self._ref_problems: list[Problem] | None = None
        self._chain_ends: dict[tuple[Path, str], Resolved | str] = {}
        self._resolved: dict[tuple[Path, str], Resolved | RefError] = {}
        self._size = 0
        self._refs = 0
        path = root.path if isinstance(root, Document) else _normal(Path(root))
        self.boundary = self._boundary(path)
        if isinstance(root, Document):
            self._count(root)
            self.root = root
        else:
            self.root = self._load(path, referenced=False)
        self._documents[_normal(self.root.path)] = self.root

    @property
    def documents(self) -> Mapping[Path, Document]:
        """Every document loaded so far, by absolute path."""
        return self._documents

    def document(self, path: Path) -> Document:
        """The document at ``path``, loaded once; raises :class:`LoadError` (also cached)."""
        path = _normal(path)
        if path in self._documents:
            return self._documents[path]
        if path in self._failures:
            raise self._failures[path]
        try:
            document = self._load(path, referenced=True)
        except LoadError as exc:
            self._failures[path] = exc
            raise
        self._documents[path] = document
        return document

    def _boundary(self, root: Path) -> Boundary:
        """The boundary for a contract whose root file is ``root``."""
        return self.policy.boundary_for(root)

    def _source(self, path: Path, referenced: bool) -> str:
        """The text of ``path`` once the boundary admits it (a git workspace reads a commit instead)."""
        real = self.boundary.admit(path, referenced)
        return read_text(real, self.limits.file_size, shown=path)

    def _load(self, path: Path, referenced: bool) -> Document:
        limits = self.limits
        if len(self._documents) >= limits.files:
            raise LimitExceeded(path, f"the contract reaches more files than {describe('files', limits.files)} allows")
        document = Document.from_text(path, self._source(path, referenced), limits)
        self._count(document)
        return document

    def _count(self, document: Document) -> None:
        self._size += document.size
        self._refs += document.refs
        limits = self.limits
        if self._size > limits.total_size:
            message = f"the contract's files hold more bytes than {describe('total_size', limits.total_size)} allows"
            raise LimitExceeded(document.path, message)
        if self._refs > limits.refs:
            message = f"the contract's files hold more $refs than {describe('refs', limits.refs)} allows"
            raise LimitExceeded(document.path, message)

    def resolve(self, base: Document, ref: str) -> Resolved:
        """Follow one ``$ref`` written in ``base``; raises :class:`RefError` if it leads nowhere.

        Answers are remembered per file and ref text: a bundle follows the same ref once per use, and
        building a path for each would cost more than the rest of the work.
        """
        key = (base.path, ref)
        known = self._resolved.get(key)
        if known is None:
            try:
                known = self._resolve(base, ref)
            except RefError as exc:
                known = exc
            self._resolved[key] = known
        if isinstance(known, RefError):
            # A new exception each time: raising one object again would keep growing its traceback.
            raise type(known)(known.ref, known.message)
        return known

    def _resolve(self, base: Document, ref: str) -> Resolved:
        path, pointer = ref_target(base.path, ref)
        try:
            document = self.document(path)
        except LimitExceeded:
            raise
        except RefusedFile as exc:
            raise RefRefused(ref, f"{_shown(path, base)}: {exc.message}") from None
        except ParseFailure as exc:
            message = f"{_shown(path, base)} does not parse (line {exc.line}): {exc.message}"
            raise RefError(ref, message) from None
        except LoadError as exc:
            raise RefError(ref, f"{_shown(path, base)}: {exc.message}") from None
        try:
            value = document.get(pointer)
        except jsonpointer.PointerError:
            raise RefError(ref, f"{_shown(path, base)} has nothing at {pointer or '/'}") from None
        return Resolved(document, pointer, value)

    def follow(self, base: Document, pointer: str) -> Resolved:
        """Walk ``pointer`` from ``base``, jumping through every ``$ref`` met on the way.

        Validators report paths in the *logical* document (refs already replaced); this maps
        such a path back to the file and pointer that really hold the node. Raises
        :class:`RefError` for a broken ref on the way and ``PointerError`` for a missing node.
        """
        document, value, here = base, base.data, ""
        for depth, token in enumerate(jsonpointer.split(pointer)):
            document, here, value = self._through_refs(document, here, value, token)
            try:
                value = jsonpointer.step(value, token)
            except (KeyError, IndexError):
                raise jsonpointer.PointerError(pointer, depth) from None
            here = jsonpointer.child(here, token)
        return Resolved(document, here, value)

    def locate(self, base: Document, pointer: str) -> tuple[Document, str]:
        """The document and pointer that really hold logical ``pointer`` (refs followed).

        Where the walk cannot go on (missing key, broken ref) the rest of the pointer is kept,
        so the result still names what was asked for and ``position`` falls back to its nearest
        existing ancestor.
        """
        document, value, here = base, base.data, ""
        tokens = jsonpointer.split(pointer)
        for index, token in enumerate(tokens):
            try:
                document, here, value = self._through_refs(document, here, value, token)
                value = jsonpointer.step(value, token)
            except (RefError, KeyError, IndexError):
                return document, here + jsonpointer.join(tokens[index:])
            here = jsonpointer.child(here, token)
        return document, here

    def position(self, base: Document, pointer: str) -> Position:
        """Where the node at logical ``pointer`` (refs followed) is declared, else its nearest ancestor."""
        document, physical = self.locate(base, pointer)
        return document.position(physical)

    def _through_refs(self, document: Document, here: str, value: Any, token: str) -> tuple[Document, str, Any]:
        # A `$ref` object only stands for its target when the next token is not one of its own keys
        # (OpenAPI 3.1 allows siblings such as `description` next to `$ref`).
        hops = 0
        while isinstance(value, dict) and isinstance(value.get("$ref"), str) and token not in value:
            hops += 1
            if hops > _MAX_REF_HOPS:
                raise RefError(value["$ref"], "reference chain does not end (cycle of refs to refs)")
            target = self.resolve(document, value["$ref"])
            document, here, value = target.document, target.pointer, target.value
        return document, here, value

    def check_refs(self) -> list[Problem]:
        """Follow every ``$ref`` reachable from the root, loading each file; report the broken ones.

        Only nodes reachable from the root are visited, so unused parts of shared files do not
        fail a contract. Cycles are fine: each target is walked once. Only places where the
        OpenAPI structure allows a reference are looked at (not examples or ``x-`` extensions).
        """
        if self._ref_problems is None:
            self._ref_problems = list(self._walk_refs())
        return list(self._ref_problems)

    def ref_sites(self) -> list[RefSite]:
        """Every ``$ref`` reachable from the root (broken ones included), in discovery order."""
        return list(self._iter_reachable_sites())

    def _walk_refs(self) -> Iterator[Problem]:
        reported: set[tuple[Path, str]] = set()
        for site in self._iter_reachable_sites():
            try:
                reason = self._wrong_target(site)
            except RefRefused as exc:
                reason = f"refused $ref {site.ref!r}: {exc.message}"
            except RefError as exc:
                reason = f"broken $ref {site.ref!r}: {exc.message}"
            key = (site.document.path, site.pointer)
            if reason is None or key in reported:
                continue
            reported.add(key)
            where = site.document.position(jsonpointer.child(site.pointer, "$ref"))
            yield Problem(
                file=site.document.path,
                line=where.line,
                column=where.column,
                pointer=jsonpointer.child(site.pointer, "$ref"),
                message=reason,
            )

    def _wrong_target(self, site: RefSite) -> str | None:
        """Why ``site``'s ref cannot stand for an object of its kind (a cycle, a scalar), or ``None``."""
        target = self.resolve(site.document, site.ref)
        end = self._chain_end(target)
        if isinstance(end, str):
            return f"broken $ref {site.ref!r}: {end}" if end else None
        value = end.value
        if isinstance(value, dict) or (site.kind is Kind.SCHEMA and isinstance(value, bool)):
            return None
        where = _shown(end.document.path, site.document) + (f"#{end.pointer}" if end.pointer else "")
        return f"broken $ref {site.ref!r}: {where} is {value_kind(value)}, not {object_name(site.kind)}"

    def _chain_end(self, target: Resolved) -> Resolved | str:
        """Where a chain of refs to refs ends, or why it does not (``""``: a broken link, reported at its own site).

        Remembered for every link, so a thousand sites on one long chain walk it once.
        """
        walked: list[tuple[Path, str]] = []
        result: Resolved | str
        while True:
            value = target.value
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                result = target
                break
            key = (target.document.path, target.pointer)
            known = self._chain_ends.get(key)
            if known is not None:
                result = known
                break
            if key in walked:
                result = "a cycle of references that never reaches an object"
                break
            if len(walked) >= _MAX_REF_HOPS:
                result = f"a chain of more than {_MAX_REF_HOPS} references to references"
                break
            walked.append(key)
            try:
                target = self.resolve(target.document, value["$ref"])
            except RefError:
                result = ""
                break
        for key in walked:
            self._chain_ends[key] = result
        return result

    def _iter_reachable_sites(self) -> Iterator[RefSite]:
        # Typed walk: a ref target is walked as the kind of object the ref stands for, so literal
        # data (examples, extensions, defaults) is never mistaken for references.
        walked: set[tuple[Path, str]] = {(self.root.path, "")}
        queue: deque[tuple[Document, str, Any, Kind]] = deque([(self.root, "", self.root.data, Kind.DOCUMENT)])
        while queue:
            document, start, value, kind = queue.popleft()
            for site_pointer, site_kind, node in iter_objects(value, kind, start):
                ref = node.get("$ref") if isinstance(node, dict) else None
                if not isinstance(ref, str):
                    continue
                yield RefSite(document, site_pointer, ref, site_kind)
                try:
                    target = self.resolve(document, ref)
                except RefError:
                    continue
                key = (target.document.path, target.pointer)
                if not _inside_walked(walked, key):
                    walked.add(key)
                    queue.append((target.document, target.pointer, target.value, site_kind))


def iter_refs(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every ``(pointer of the object, $ref text)`` below ``value``, in document order.

    Structure-blind (any object with a string ``$ref``), for documents that are not OpenAPI;
    in a contract it would also take a literal example holding a ``$ref`` key for a reference.
    """
    stack: list[tuple[str, Any]] = [(pointer, value)] if isinstance(value, (dict, list)) else []
    while stack:
        here, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield here, ref
            children = [
                (f"{here}/{jsonpointer.escape(key)}", item)
                for key, item in node.items()
                if key != "$ref" and isinstance(item, (dict, list))
            ]
        else:
            children = [(f"{here}/{index}", item) for index, item in enumerate(node) if isinstance(item, (dict, list))]
        # Reversed so the stack pops children in source order.
        stack.extend(reversed(children))


def ref_target(base: Path, ref: str) -> tuple[Path, str]:
    """Split a ``$ref`` written in file ``base`` into (absolute file path, JSON pointer).

    Raises :class:`RefRefused` for a URL (``file:`` and ``http:`` included) or an absolute path: a
    contract names its files relative to itself, so where a ref leads never depends on the machine.
    """
    location, _, fragment = ref.partition("#")
    if _SCHEME.match(location):
        scheme = location.split(":", 1)[0]
        raise RefRefused(ref, f"only files relative to this one can be referenced, not {scheme}: URLs")
    path = unquote(location)
    if "\x00" in path:
        raise RefRefused(ref, "the path holds a NUL character")
    if os.path.isabs(path) or path.startswith(("/", "\\")):
        raise RefRefused(ref, "absolute paths cannot be referenced; write the path relative to this file")
    pointer = unquote(fragment)
    if pointer and not pointer.startswith("/"):
        raise RefError(ref, "the fragment must be a JSON pointer starting with '/' (no anchors)")
    return _normal(base.parent / path if path else base), pointer


def _normal(path: Path) -> Path:
    # normpath, not resolve(): `../shared` must name the same file however it was spelled,
    # without replacing symlinked checkouts by their targets in messages.
    return Path(os.path.normpath(Path(path).absolute()))


def _inside_walked(walked: set[tuple[Path, str]], key: tuple[Path, str]) -> bool:
    path, pointer = key
    while True:
        if (path, pointer) in walked:
            return True
        if not pointer:
            return False
        pointer = jsonpointer.parent(pointer)


def _shown(path: Path, base: Document) -> str:
    # Relative to the referring file, the way the `$ref` itself is written.
    return os.path.relpath(path, base.path.parent) if path != base.path else "this file"
