"""The views checks read: nodes tied to the file that holds them, and operations with what they use resolved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple

from contractkit.loading import Document


class Node(NamedTuple):
    """A value and where it is written: the document that really holds it, and its pointer there.

    A named tuple, not a dataclass: the walk makes one per object of the contract (57,000 for
    GitHub's description) and tuples are the cheapest objects Python builds.
    """

    document: Document
    pointer: str
    value: Any

    def child(self, *tokens: str | int) -> Node:
        """The node below this one along ``tokens`` (``None`` value when missing)."""
        value, pointer = self.value, self.pointer
        for token in tokens:
            value = value.get(str(token)) if isinstance(value, dict) else _item(value, token)
            pointer = f"{pointer}/{escape_token(str(token))}"
        return Node(self.document, pointer, value)

    def get(self, key: str, default: Any = None) -> Any:
        """``value[key]`` when the value is a mapping, else ``default``."""
        return self.value.get(key, default) if isinstance(self.value, dict) else default

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the place (file, pointer), for de-duplicating nodes reached more than once."""
        return (str(self.document.path), self.pointer)


def escape_token(token: str) -> str:
    """RFC 6901 escaping, skipped for the usual token that needs none (the walk escapes every key)."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def _item(value: Any, token: str | int) -> Any:
    if isinstance(value, list) and str(token).isdigit() and int(token) < len(value):
        return value[int(token)]
    return None


class Origin(Enum):
    """What kind of object a schema tree hangs from; some rules only apply to bodies."""

    BODY = "body"
    PARAMETER = "parameter"
    HEADER = "header"
    COMPONENT = "component"


class SchemaView(NamedTuple):
    """One schema object (a ``$ref`` object included), visited once however often it is used."""

    node: Node
    origin: Origin


class PropertyView(NamedTuple):
    """One entry of a schema's ``properties``: the owning object schema, the name and the property's schema."""

    owner: Node
    name: str
    node: Node


class HeaderView(NamedTuple):
    """One entry of a response's (or encoding's) ``headers`` map: the HTTP header name and its definition."""

    name: str
    node: Node  # the map entry, possibly a `$ref`
    target: Node  # the header object it stands for


class MediaTypeView(NamedTuple):
    """One entry of a ``content`` map."""

    name: str
    node: Node


class RefView(NamedTuple):
    """One ``$ref`` object and the node it leads to (``None`` when broken: validate reports those)."""

    node: Node
    target: Node | None


class ParameterView(NamedTuple):
    """A parameter an operation takes (path-level ones merged in), with its definition resolved."""

    site: Node  # where the operation lists it (maybe a `$ref`)
    target: Node  # the parameter object

    @property
    def name(self) -> str:
        """The parameter's name (``""`` when missing)."""
        name = self.target.get("name")
        return name if isinstance(name, str) else ""

    @property
    def location(self) -> str:
        """``path``, ``query``, ``header`` or ``cookie`` (``""`` when missing)."""
        where = self.target.get("in")
        return where if isinstance(where, str) else ""


class ResponseView(NamedTuple):
    """One response an operation declares, with its definition resolved."""

    status: str
    site: Node
    target: Node

    @property
    def status_class(self) -> str:
        """``"2"`` for 200/201/2XX..., ``"default"`` for default."""
        return "default" if self.status == "default" else self.status[:1]


@dataclass(slots=True)
class OperationView:
    """One operation with its path, merged parameters and resolved responses."""

    path: str
    method: str
    node: Node
    path_site: Node  # `/paths/<path>` in the root document, where path findings go
    parameters: list[ParameterView] = field(default_factory=list)
    responses: dict[str, ResponseView] = field(default_factory=dict)
    security: Any = None  # the effective requirement list (own or inherited), None when there is none

    @property
    def value(self) -> Mapping[str, Any]:
        """The operation object."""
        return self.node.value if isinstance(self.node.value, dict) else {}

    @property
    def tags(self) -> list[str]:
        """The operation's tags (strings only)."""
        tags = self.value.get("tags")
        return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []

    @property
    def label(self) -> str:
        """``POST /v1/coupons``, for messages."""
        return f"{self.method.upper()} {self.path}"

    @property
    def has_own_security(self) -> bool:
        """The operation sets ``security`` itself instead of inheriting the document's."""
        return "security" in self.value

    @property
    def is_public(self) -> bool:
        """The operation explicitly requires no authentication (``security: []`` on the operation)."""
        return self.value.get("security") == []

    @property
    def is_operational(self) -> bool:
        """An operational endpoint (probe, contract download): tagged ``Operations`` (DSL-608 polices the rest)."""
        return OPERATIONS_TAG in self.tags

    def parameter(self, location: str, name: str) -> ParameterView | None:
        """The parameter ``name`` in ``location``; header names compare case-insensitively."""
        fold = location == "header"
        wanted = name.lower() if fold else name
        for parameter in self.parameters:
            given = parameter.name.lower() if fold else parameter.name
            if parameter.location == location and given == wanted:
                return parameter
        return None

    def response(self, *statuses: str) -> ResponseView | None:
        """The first of ``statuses`` the operation declares."""
        for status in statuses:
            if status in self.responses:
                return self.responses[status]
        return None

    def declares_status_class(self, digit: str) -> bool:
        """Whether some declared response is in class ``digit`` ("2" for 2xx)."""
        return any(view.status_class == digit for view in self.responses.values())


# The tag of operational endpoints (health probes, the contract itself), see DSL-608.
OPERATIONS_TAG = "Operations"


def has_header(response: Node, name: str) -> bool:
    """Whether a response object declares header ``name`` (case-insensitively, as HTTP compares them)."""
    headers = response.get("headers")
    return isinstance(headers, dict) and any(key.lower() == name.lower() for key in headers)
