"""How a route is called: authenticated and validated by its contract operation, then run.

A route names only its method, path and operationId; the scope it needs and the shape of its
parameters and body come from the contract. Routes are `ContractRoute`s: their arguments are
dependencies that each need only the request (`ContractCall`, a service object), resolved directly
rather than by FastAPI's general dependency solver, which cost a sixth of a redemption's time on the
event loop (profiled under load).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.responses import Response

from contractkit.server.admission import admit
from contractkit.server.auth import Principal
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
    state = request.app.state
    admitted = await admit(request, operation, state.token_verifier, state.request_validator)
    return Call(
        operation=operation,
        principal=admitted.principal,
        params=admitted.params,
        body=admitted.body,
        path=request.url.path,
    )


ContractCall = Annotated[Call, Depends(contract_call)]


RequestDependency = Callable[[Request], Awaitable[Any]]


def _request_dependencies(dependant: Dependant) -> list[tuple[str, RequestDependency]]:
    """Each argument of a route and the async function of the request that gives it.

    A route may take nothing else: a query parameter or a dependency with its own dependencies would
    need FastAPI's solver (the contract, not FastAPI, describes parameters here).
    """
    plain = (dependant.path_params, dependant.query_params, dependant.header_params, dependant.cookie_params)
    if any(plain) or dependant.body_params:
        raise TypeError(f"{dependant.call}: a contract route takes only dependencies of the request")
    resolved = []
    for dependency in dependant.dependencies:
        nested = (dependency.path_params, dependency.query_params, dependency.header_params, dependency.body_params)
        if dependency.dependencies or any(nested) or dependency.request_param_name is None or dependency.name is None:
            raise TypeError(f"{dependency.call}: a contract route's dependency takes the request and nothing else")
        resolved.append((dependency.name, dependency.call))
    return resolved  # type: ignore[return-value]


class ContractRoute(APIRoute):
    """A route whose arguments are async functions of the request, called in order (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        dependencies = _request_dependencies(self.dependant)
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            arguments = {name: await dependency(request) for name, dependency in dependencies}
            response: Response = await endpoint(**arguments)
            return response

        return handler
