"""What a bundled contract says about each operation, indexed by operationId.

The reference services read it to route, authenticate and validate requests; the conformance kit reads
it to derive what to check (scopes, required headers, documented statuses and problem codes, state
transitions). Both read the same index, so an implementation and its checks cannot disagree about what
the contract says.

Besides plain OpenAPI, three extensions are read (each documented in the API guidelines):

- ``x-problem-codes`` on a problem response: the ``code`` values that response may carry;
- ``x-state-transition`` on an operation: the state property it moves, from which states, to which;
- ``x-service`` in ``info``: the service's name, as pacts and the kit's service modules know it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contractkit.loading.pointer import escape, local_target

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBLEM_CODES = "x-problem-codes"
STATE_TRANSITION = "x-state-transition"
SERVICE_NAME = "x-service"
FILTER = "x-filter"
PAGE_PARAMETERS = frozenset({"limit", "cursor"})


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter of an operation and the JSON pointer of its schema in the bundled contract."""

    name: str
    location: str  # path, query, header
    required: bool
    schema_pointer: str
    schema: dict[str, Any]
    # How a query parameter filters a list (``x-filter``): the item property and the comparison.
    filter_property: str | None = None
    filter_match: str = "equals"

    def keeps(self, value: Any, wanted: Any) -> bool:
        """Whether a list filtered by this parameter set to `wanted` keeps an item whose property is `value`.

        ``x-filter`` ``match: min`` keeps values at or above it, ``max`` values below it; otherwise equal ones.
        """
        if self.filter_match == "min":
            return value is not None and value >= wanted
        if self.filter_match == "max":
            return value is not None and value < wanted
        return bool(value == wanted)


@dataclass(frozen=True, slots=True)
class Response:
    """One documented response of an operation."""

    status: str
    media_types: tuple[str, ...] = ()
    headers: frozenset[str] = frozenset()  # lower-case names
    problem_codes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class StateTransition:
    """An operation that moves a resource's state property (``x-state-transition``)."""

    property: str
    sources: tuple[str, ...]
    target: str
    # Repeating the move on a resource already in `target` answers 200 and changes nothing.
    repeatable: bool = False


@dataclass(frozen=True, slots=True)
class Operation:
    """What the contract says about one operation."""

    operation_id: str
    method: str
    path: str
    authenticated: bool
    scopes: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    body_required: bool = False
    body_schema_pointer: str | None = None
    body_media_types: tuple[str, ...] = ()
    statuses: frozenset[str] = field(default_factory=frozenset)
    responses: Mapping[str, Response] = field(default_factory=dict)
    transition: StateTransition | None = None

    def parameter(self, name: str, location: str | None = None) -> Parameter | None:
        """The parameter with this name (case-insensitive for headers), if the operation has it."""
        for param in self.parameters:
            same = param.name.lower() == name.lower() if param.location == "header" else param.name == name
            if same and (location is None or param.location == location):
                return param
        return None

    def requires_header(self, name: str) -> bool:
        param = self.parameter(name, "header")
        return param is not None and param.required

    @property
    def label(self) -> str:
        """``METHOD /path``, the way Schemathesis and the docs name an operation."""
        return f"{self.method} {self.path}"

    @property
    def is_list(self) -> bool:
        """Whether the operation returns cursor pages (it takes `limit` and `cursor`)."""
        names = {param.name for param in self.parameters if param.location == "query"}
        return names >= PAGE_PARAMETERS

    @property
    def filters(self) -> tuple[Parameter, ...]:
        """The query parameters of a list operation that narrow its items."""
        if not self.is_list:
            return ()
        return tuple(p for p in self.parameters if p.location == "query" and p.name not in PAGE_PARAMETERS)

    def problem_codes(self, status: int | str) -> frozenset[str]:
        """The problem codes documented for a status (empty when the status is not documented)."""
        response = self.responses.get(str(status))
        return response.problem_codes if response else frozenset()

    def response_headers(self, status: int | str) -> frozenset[str]:
        response = self.responses.get(str(status))
        return response.headers if response else frozenset()


def _deref(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s, returning the target and its pointer."""
    target, ref = local_target(document, node)
    return target, (ref.removeprefix("#") if ref is not None else pointer)


class OperationIndex:
    """A bundled OpenAPI document with its operations indexed by operationId."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.operations: dict[str, Operation] = {}
        for path, path_item in document.get("paths", {}).items():
            base = f"/paths/{escape(path)}"
            shared = path_item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in path_item:
                    op = self._operation(path, method, path_item[method], shared, base)
                    self.operations[op.operation_id] = op

    @property
    def service(self) -> str | None:
        """The service's name from ``info.x-service``, if the contract gives one."""
        info = self.document.get("info")
        name = info.get(SERVICE_NAME) if isinstance(info, dict) else None
        return name if isinstance(name, str) else None

    @property
    def scopes(self) -> tuple[str, ...]:
        """Every scope some operation requires, in first-use order."""
        seen: dict[str, None] = {}
        for op in self.operations.values():
            for scope in op.scopes:
                seen.setdefault(scope)
        return tuple(seen)

    def resolve(self, node: Any) -> Any:
        """A node with its local `$ref` followed."""
        target, _ = local_target(self.document, node)
        return target

    def _parameter(self, node: Any, node_pointer: str) -> Parameter:
        param, param_pointer = _deref(self.document, node, node_pointer)
        schema, _ = _deref(self.document, param.get("schema", {}), f"{param_pointer}/schema")
        filter_spec = param.get(FILTER) if isinstance(param.get(FILTER), dict) else {}
        return Parameter(
            name=param["name"],
            location=param["in"],
            required=bool(param.get("required", param["in"] == "path")),
            schema_pointer=f"{param_pointer}/schema",
            schema=schema,
            filter_property=filter_spec.get("property", param["name"]) if param["in"] == "query" else None,
            filter_match=str(filter_spec.get("match", "equals")),
        )

    def _response(self, status: str, node: Any) -> Response:
        response = self.resolve(node)
        if not isinstance(response, dict):
            return Response(status=status)
        headers = response.get("headers")
        content = response.get("content")
        codes = response.get(PROBLEM_CODES)
        headers = headers if isinstance(headers, dict) else {}
        content = content if isinstance(content, dict) else {}
        codes = codes if isinstance(codes, list) else []
        return Response(
            status=status,
            media_types=tuple(content),
            headers=frozenset(name.lower() for name in headers),
            problem_codes=frozenset(str(code) for code in codes),
        )

    def _operation(self, path: str, method: str, raw: dict[str, Any], shared: list[Any], base: str) -> Operation:
        pointer = f"{base}/{method}"
        params: dict[tuple[str, str], Parameter] = {}
        sources = [(p, f"{base}/parameters/{i}") for i, p in enumerate(shared)]
        sources += [(p, f"{pointer}/parameters/{i}") for i, p in enumerate(raw.get("parameters", []))]
        for node, node_pointer in sources:  # operation-level parameters override path-level ones
            param = self._parameter(node, node_pointer)
            params[(param.name.lower(), param.location)] = param
        security = raw.get("security", self.document.get("security", []))
        scopes = tuple(scope for requirement in security for values in requirement.values() for scope in values)
        body_required, body_pointer, media_types = False, None, ()
        if "requestBody" in raw:
            body, body_base = _deref(self.document, raw["requestBody"], f"{pointer}/requestBody")
            body_required = bool(body.get("required", False))
            media_types = tuple(body.get("content", {}))
            if "application/json" in body.get("content", {}):
                body_pointer = f"{body_base}/content/application~1json/schema"
        responses = {
            str(status): self._response(str(status), node) for status, node in raw.get("responses", {}).items()
        }
        transition = None
        spec = raw.get(STATE_TRANSITION)
        if isinstance(spec, dict):
            transition = StateTransition(
                property=str(spec.get("property", "status")),
                sources=tuple(str(state) for state in spec.get("from", ())),
                target=str(spec.get("to")),
                repeatable=bool(spec.get("repeatable", False)),
            )
        return Operation(
            operation_id=raw["operationId"],
            method=method.upper(),
            path=path,
            authenticated=bool(security),
            scopes=scopes,
            parameters=tuple(params.values()),
            body_required=body_required,
            body_schema_pointer=body_pointer,
            body_media_types=media_types,
            statuses=frozenset(responses),
            responses=responses,
            transition=transition,
        )
