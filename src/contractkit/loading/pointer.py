"""JSON pointers (RFC 6901): the address of a node inside one document."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class PointerError(LookupError):
    """A pointer names a node the document does not have."""

    def __init__(self, pointer: str, depth: int) -> None:
        super().__init__(pointer)
        self.pointer = pointer
        # How many leading tokens did resolve, so callers can point at the nearest existing node.
        self.depth = depth


def escape(token: str) -> str:
    """Escape one reference token (``~`` then ``/``, in that order as RFC 6901 requires)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Undo :func:`escape` (``~1`` first, so ``~01`` stays ``~1``)."""
    return token.replace("~1", "/").replace("~0", "~")


def split(pointer: str) -> list[str]:
    """Split a pointer into unescaped tokens; ``""`` is the whole document."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must be empty or start with '/': {pointer!r}")
    return [unescape(token) for token in pointer[1:].split("/")]


def join(tokens: Iterable[str | int]) -> str:
    """Build a pointer from tokens (integers are list indexes)."""
    return "".join("/" + escape(str(token)) for token in tokens)


def child(pointer: str, token: str | int) -> str:
    """The pointer of one child of ``pointer``."""
    return f"{pointer}/{escape(str(token))}"


def parent(pointer: str) -> str:
    """The pointer of the node that holds ``pointer`` (the root is its own parent)."""
    return pointer[: pointer.rfind("/")] if pointer else ""


def step(value: Any, token: str) -> Any:
    """Go one token down from ``value``; raises ``KeyError``/``IndexError`` when there is no such child."""
    if isinstance(value, dict):
        return value[token]
    if isinstance(value, list):
        # RFC 6901 array indexes are plain decimal numbers: no sign, no leading zero.
        if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
            raise KeyError(token)
        return value[int(token)]
    raise KeyError(token)


def resolve(data: Any, tokens: Sequence[str]) -> Any:
    """The value ``tokens`` lead to inside ``data``; raises :class:`PointerError` if there is none."""
    value = data
    for depth, token in enumerate(tokens):
        try:
            value = step(value, token)
        except (KeyError, IndexError):
            raise PointerError(join(tokens), depth) from None
    return value


def local_target(document: Any, node: Any) -> tuple[Any, str | None]:
    """Follow local ``#/...`` refs from ``node``: the object reached and the last ref followed.

    Stops at a ref that is not local, leads nowhere, or comes round again (a cycle), returning the
    node it stopped at; a bundled document has local refs only, so that node is then a ``$ref`` object.
    """
    seen: set[str] = set()
    last: str | None = None
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#"):
            break
        seen.add(ref)
        try:
            node = resolve(document, split(ref[1:]))
        except (PointerError, ValueError):
            break
        last = ref
    return node, last
