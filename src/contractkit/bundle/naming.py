"""Names for components pulled in from other files: the target's own name, made unique."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from contractkit.loading import pointer as jsonpointer

# OpenAPI requires component keys to match ^[a-zA-Z0-9.\-_]+$.
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9._-]")


def wanted_name(path: Path, pointer: str) -> str:
    """The name a target would like: its last pointer token, or the file's stem for a whole file."""
    tokens = jsonpointer.split(pointer)
    raw = tokens[-1] if tokens else path.name.split(".")[0]
    return _NOT_ALLOWED.sub("_", raw) or "Component"


class ComponentNames:
    """Hands out unique names per components section, first come first served.

    Callers ask in document order, so the same input always gets the same names: the first
    target keeps its plain name and later ones with the same name get ``_2``, ``_3``...
    """

    def __init__(self, taken: Mapping[str, Iterable[str]]) -> None:
        self._taken = {section: set(names) for section, names in taken.items()}

    def allocate(self, section: str, wanted: str) -> str:
        """Reserve and return ``wanted`` in ``section``, or the first free ``wanted_N``."""
        taken = self._taken.setdefault(section, set())
        name, number = wanted, 1
        while name in taken:
            number += 1
            name = f"{wanted}_{number}"
        taken.add(name)
        return name
