"""The dependency every route takes: authenticate and validate the request by its contract operation.

A route names only its method, path and operationId; the scope it needs and the shape of its
parameters and body come from the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from dataservices.common.auth import Principal, authenticate
from dataservices.common.contract import Operation
from dataservices.common.idempotency import KeyedRequest, fingerprint


@dataclass(frozen=True, slots=True)
class Call:
    """An authenticated, validated request to one contract operation."""

    operation: Operation
    principal: Principal | None
    params: dict[str, Any]
    body: Any
    path: str

    @property
    def client_id(self) -> str:
        return self.principal.client_id if self.principal else "anonymous"

    def keyed(self) -> KeyedRequest:
        """This call as an idempotent request: the caller's `Idempotency-Key` and a digest of the request."""
        return KeyedRequest(
            client_id=self.client_id,
            key=self.params["Idempotency-Key"],
            fingerprint=fingerprint(self.operation.method, self.path, self.body),
            instance=self.path,
        )


async def contract_call(request: Request) -> Call:
    """Authenticate (401/403) and validate (400/415/422/428) the request; only then run the route."""
    operation_id = request.scope["route"].operation_id
    operation: Operation = request.app.state.contract.operations[operation_id]
    principal = None
    if operation.authenticated:
        principal = authenticate(request, operation.scopes)
    valid = await request.app.state.request_validator.validate(request, operation)
    return Call(operation=operation, principal=principal, params=valid.params, body=valid.body, path=request.url.path)


ContractCall = Annotated[Call, Depends(contract_call)]
