"""Admit a request to a contract operation: authenticate (401/403), then validate (400/415/422/428)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from contractkit.operations import Operation
from contractkit.server.auth import BearerVerifier, Principal, require_scopes
from contractkit.server.validation import RequestValidator


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request the contract accepts: who sent it, its converted parameters and its JSON body."""

    principal: Principal | None
    params: dict[str, Any]
    body: Any


async def admit(
    request: Request, operation: Operation, verifier: BearerVerifier, validator: RequestValidator
) -> Admitted:
    """The admitted request, or the `Problem` that refuses it.

    Authentication comes first: a caller without a valid token learns nothing about what its request
    got wrong, and an operation the contract leaves open (`security: []`) takes no token.
    """
    principal = None
    if operation.authenticated:
        principal = verifier.verify(request.headers.get("authorization"))
        require_scopes(principal, operation.scopes)
    valid = await validator.validate(request, operation)
    return Admitted(principal=principal, params=valid.params, body=valid.body)
