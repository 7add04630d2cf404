"""What comparing two schemas yields: local changes, and the steps that lead from a root schema to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from contractkit.loading import Document


class Step(NamedTuple):
    """One step from a schema to a child schema: a property, array items, a union branch..."""

    kind: str
    name: str


PROPERTY, ITEMS, ADDITIONAL, BRANCH, PREFIX = "property", "items", "additional", "branch", "prefix"


@dataclass(frozen=True, slots=True)
class Change:
    """One change local to a pair of schemas."""

    check: str
    detail: str
    base: tuple[Document, str]
    revision: tuple[Document, str]
    # Steps below the pair the change is about (the property added, for example).
    steps: tuple[Step, ...] = ()


def render(steps: tuple[Step, ...]) -> str:
    """A field path for a reviewer: ``items[].discount.amount``, ``payment(oneOf 2).card``."""
    text = ""
    for step in steps:
        if step.kind == PROPERTY:
            text += f".{step.name}" if text else step.name
        elif step.kind == ITEMS:
            text += "[]"
        elif step.kind == ADDITIONAL:
            text += ".*" if text else "*"
        elif step.kind == PREFIX:
            text += f"[{step.name}]"
        else:
            text += f"({step.name})"
    return text


def field_tokens(steps: tuple[Step, ...]) -> tuple[str, ...]:
    """The steps that exist in a JSON body (properties, ``[]`` for items, ``*`` for any key)."""
    tokens: list[str] = []
    for step in steps:
        if step.kind == PROPERTY:
            tokens.append(step.name)
        elif step.kind in (ITEMS, PREFIX):
            tokens.append("[]")
        elif step.kind == ADDITIONAL:
            tokens.append("*")
    return tuple(tokens)
