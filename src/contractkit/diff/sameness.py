"""Prove two subtrees identical, refs included, so the comparison can skip them.

Most of a big contract does not change between two versions. Two nodes are *the same* when their values are
equal and every `$ref` inside leads, on each side, to targets that are the same in turn. Refs are found in
the JSON text of a value (the C encoder and a regular expression, far cheaper than walking it), and the
verdict for each pair of ref targets is settled for a whole ref closure at once, cycles included: a target
pair is the same unless some pair reachable from it differs or leads nowhere.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any

from contractkit.diff.sides import Node, Side

_REF = re.compile(r'"\$ref": "((?:[^"\\]|\\.)*)"')
_Key = tuple[int, str]
_PairKey = tuple[_Key, _Key]


def refs_in(value: Any) -> set[str]:
    """Every `$ref` string anywhere inside ``value`` (literal data such as examples included)."""
    if not isinstance(value, (dict, list)):
        return set()
    text = json.dumps(value, default=str, ensure_ascii=False)
    if '"$ref"' not in text:
        return set()
    return {json.loads(f'"{found}"') for found in _REF.findall(text)}


class Sameness:
    """Answers "are these two nodes identical, everything they reference included?" with memoised verdicts."""

    def __init__(self, base: Side, revision: Side) -> None:
        self._base = base
        self._revision = revision
        self._verdicts: dict[_PairKey, bool] = {}

    def same(self, base: Node, revision: Node) -> bool:
        """True when ``base`` and ``revision`` hold equal values whose refs lead to identical targets."""
        # Views built from several places (merged `allOf` parts, ref siblings) hold refs of several files.
        if base.tag or revision.tag or base.value != revision.value:
            return False
        return all(self._same_target(base, revision, ref) for ref in refs_in(base.value))

    def _pair(self, base: Node, revision: Node, ref: str) -> tuple[_PairKey, Node | None, Node | None]:
        left = self._base.target(base.document, ref)
        right = self._revision.target(revision.document, ref)
        key = (
            (id(base.document), "?" + ref) if left is None else (id(left.document), left.pointer),
            (id(revision.document), "?" + ref) if right is None else (id(right.document), right.pointer),
        )
        return key, left, right

    def _same_target(self, base: Node, revision: Node, ref: str) -> bool:
        start, left, right = self._pair(base, revision, ref)
        if start in self._verdicts:
            return self._verdicts[start]
        # Explore the closure of ref targets not settled yet, then settle all of it.
        parents: dict[_PairKey, list[_PairKey]] = {}
        differing: list[_PairKey] = []
        explored = {start}
        queue: deque[tuple[_PairKey, Node | None, Node | None]] = deque([(start, left, right)])
        while queue:
            key, left, right = queue.popleft()
            if left is None or right is None or left.value != right.value:
                differing.append(key)
                continue
            for ref_inside in refs_in(left.value):
                child, child_left, child_right = self._pair(left, right, ref_inside)
                known = self._verdicts.get(child)
                if known is False:
                    differing.append(key)
                elif known is None:
                    parents.setdefault(child, []).append(key)
                    if child not in explored:
                        explored.add(child)
                        queue.append((child, child_left, child_right))
        different = set(differing)
        backlog = deque(differing)
        while backlog:
            for parent in parents.get(backlog.popleft(), ()):
                if parent not in different:
                    different.add(parent)
                    backlog.append(parent)
        for key in explored:
            self._verdicts[key] = key not in different
        return self._verdicts[start]
