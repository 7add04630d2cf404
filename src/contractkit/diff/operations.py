"""Operations of a contract, keyed so both sides line up: method plus path template with parameters blanked.

`/v1/coupons/{couponId}` and `/v1/coupons/{id}` are one operation (a renamed path parameter is no change),
and an operationId plays no part, so renaming it is no change either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contractkit.diff.sides import Node, Side
from contractkit.loading.structure import HTTP_METHODS

_PARAMETER = re.compile(r"\{[^}/]*\}")

OperationKey = tuple[str, str]


def template_key(path: str) -> str:
    """``path`` with every ``{parameter}`` written as ``{}``."""
    return _PARAMETER.sub("{}", path)


def path_parameters(path: str) -> list[str]:
    """The names of ``path``'s template parameters, in order."""
    return [match[1:-1] for match in _PARAMETER.findall(path)]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation as found on one side."""

    method: str
    path: str
    path_item: Node
    node: Node

    @property
    def key(self) -> OperationKey:
        """What lines this operation up with its counterpart on the other side."""
        return self.method, template_key(self.path)

    @property
    def label(self) -> str:
        """``METHOD /path`` as written."""
        return f"{self.method} {self.path}"


def collect_operations(side: Side) -> dict[OperationKey, Operation]:
    """Every operation under ``paths`` (path items behind refs followed), first one wins on a clash."""
    operations: dict[OperationKey, Operation] = {}
    paths = side.root.child("paths")
    if not isinstance(paths.value, dict):
        return operations
    for path in paths.value:
        if not path.startswith("/"):
            continue
        item = side.deref(paths.child(path))
        if item is None or not isinstance(item.value, dict):
            continue
        for method in HTTP_METHODS:
            node = item.child(method)
            if isinstance(node.value, dict):
                operation = Operation(method.upper(), path, item, node)
                operations.setdefault(operation.key, operation)
    return operations
