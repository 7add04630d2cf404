"""The service's contract at run time: the bundled document and an index of its operations.

The contract is the single source of truth: request validation, the scope each route requires and
the `/openapi.yaml` document all come from it, so the implementation cannot drift from what it
publishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractkit.loading.pointer import escape, local_target

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_REPOSITORY_CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter of an operation and the JSON pointer of its schema in the bundled contract."""

    name: str
    location: str  # path, query, header
    required: bool
    schema_pointer: str
    schema: dict[str, Any]


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


def _deref(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s, returning the target and its pointer."""
    target, ref = local_target(document, node)
    return target, (ref.removeprefix("#") if ref is not None else pointer)


class Contract:
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

    def _operation(self, path: str, method: str, raw: dict[str, Any], shared: list[Any], base: str) -> Operation:
        pointer = f"{base}/{method}"
        params: dict[tuple[str, str], Parameter] = {}
        sources = [(p, f"{base}/parameters/{i}") for i, p in enumerate(shared)]
        sources += [(p, f"{pointer}/parameters/{i}") for i, p in enumerate(raw.get("parameters", []))]
        for node, node_pointer in sources:  # operation-level parameters override path-level ones
            param, param_pointer = _deref(self.document, node, node_pointer)
            schema, _ = _deref(self.document, param.get("schema", {}), f"{param_pointer}/schema")
            params[(param["name"].lower(), param["in"])] = Parameter(
                name=param["name"],
                location=param["in"],
                required=bool(param.get("required", param["in"] == "path")),
                schema_pointer=f"{param_pointer}/schema",
                schema=schema,
            )
        security = raw.get("security", self.document.get("security", []))
        scopes = tuple(scope for requirement in security for values in requirement.values() for scope in values)
        body_required, body_pointer, media_types = False, None, ()
        if "requestBody" in raw:
            body, body_base = _deref(self.document, raw["requestBody"], f"{pointer}/requestBody")
            body_required = bool(body.get("required", False))
            media_types = tuple(body.get("content", {}))
            if "application/json" in body.get("content", {}):
                body_pointer = f"{body_base}/content/application~1json/schema"
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
            statuses=frozenset(str(code) for code in raw.get("responses", {})),
        )


def contract_path(service: str, contracts_dir: Path | None = None) -> Path:
    """Where a service's contract lives: the configured folder, else the repository's `contracts/`."""
    return (contracts_dir or _REPOSITORY_CONTRACTS) / service / "openapi.yaml"


def load_contract(service: str, contracts_dir: Path | None = None) -> tuple[Contract, str]:
    """Bundle the service's contract into one document; return it indexed and as YAML text.

    The contracts folder is the root its files may come from: a deployment that copies `contracts/`
    without the repository around it still finds `shared/`.
    """
    from contractkit.bundle import bundle, dump_yaml
    from contractkit.loading import LoadPolicy

    folder = contracts_dir or _REPOSITORY_CONTRACTS
    document = bundle(contract_path(service, folder), LoadPolicy(root=folder))
    return Contract(document), dump_yaml(document)
