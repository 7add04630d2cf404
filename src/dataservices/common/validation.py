"""Validate a request against its operation in the contract, before any domain code runs.

Parameters arrive as strings and are converted by the type their schema declares; bodies must be
`application/json` and valid JSON. Every invalid value is reported at once as a 422 with `errors[]`.
Two missing headers have their own answers: `Idempotency-Key` (400, the brief's rule) and `If-Match`
(428, RFC 6585).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.requests import Request

from contractkit.loading.pointer import join
from dataservices.common.contract import Contract, Operation, Parameter
from dataservices.common.problems import (
    FieldError,
    MalformedRequest,
    PreconditionRequired,
    Problem,
    UnsupportedMediaType,
    validation_failed,
)

ModelT = TypeVar("ModelT", bound=BaseModel)

_BASE_URI = "urn:dataservices:contract"
_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_LOCATIONS = {"path": "PATH", "query": "QUERY", "header": "HEADER"}


class IdempotencyKeyRequired(Problem):
    slug, title, status, code = (
        "idempotency-key-required",
        "Idempotency key required",
        400,
        "IDEMPOTENCY_KEY_REQUIRED",
    )


# Headers whose absence has a status of its own; any other missing value is a 422.
_MISSING_HEADER_PROBLEMS: dict[str, tuple[type[Problem], str]] = {
    "idempotency-key": (
        IdempotencyKeyRequired,
        "This operation changes money or coupon usage: send an Idempotency-Key so a retry is safe.",
    ),
    "if-match": (PreconditionRequired, "Send If-Match with the resource's current ETag."),
}


@dataclass(frozen=True, slots=True)
class ValidRequest:
    """A request whose parameters and body the contract accepts, with parameters converted."""

    params: dict[str, Any]
    body: Any


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not a JSON number")


def _convert(raw: str, schema: Mapping[str, Any]) -> Any:
    """Convert a parameter string to the type its schema declares; leave it if it does not fit."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and _INTEGER.match(raw):
        return int(raw)
    if "number" in kinds and _NUMBER.match(raw):
        return float(raw) if any(c in raw for c in ".eE") else int(raw)
    if "boolean" in kinds and raw in ("true", "false"):
        return raw == "true"
    return raw


def _chosen_branch(error: ValidationError) -> int | None:
    """The oneOf branch a discriminator selects for the instance, if the schema has one."""
    discriminator = error.schema.get("discriminator") if isinstance(error.schema, dict) else None
    if error.validator != "oneOf" or not isinstance(discriminator, dict) or not isinstance(error.instance, dict):
        return None
    value = error.instance.get(discriminator.get("propertyName", ""))
    if not isinstance(value, str):
        return None
    target = discriminator.get("mapping", {}).get(value)
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    for index, branch in enumerate(branches):
        ref = branch.get("$ref", "") if isinstance(branch, dict) else ""
        if ref == target or (target is None and ref.rsplit("/", 1)[-1] == value):
            return index
    return None


def _specific(error: ValidationError) -> list[ValidationError]:
    """The errors that name the real mistakes under a oneOf/anyOf.

    With a discriminator, every error of the branch the discriminator selects (a percentage discount
    over 100 is reported at `/discount/percent`, not as a mismatch with the fixed-amount branch);
    otherwise the best single match.
    """
    if not error.context:
        return [error]
    branch = _chosen_branch(error)
    if branch is not None:
        chosen = [sub for sub in error.context if sub.relative_schema_path and sub.relative_schema_path[0] == branch]
        if chosen:
            return [found for sub in chosen for found in _specific(sub)]
    best: ValidationError = best_match(error.context)
    return _specific(best) if best is not error else [best]


class RequestValidator:
    """Validates requests for every operation of one contract."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        resource: Resource[Any] = Resource.from_contents(contract.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        self._formats = FormatChecker()

    def _validator(self, pointer: str) -> Draft202012Validator:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": f"{_BASE_URI}#{pointer}"}, registry=self._registry, format_checker=self._formats
            )
            self._validators[pointer] = validator
        return validator

    def _errors(self, pointer: str, value: Any, location: str, prefix: str) -> list[FieldError]:
        found = []
        for error in self._validator(pointer).iter_errors(value):
            for specific in _specific(error):
                path = join(specific.absolute_path)
                found.append(FieldError(location, prefix + path, specific.message))
        return found

    def _parameter_value(self, request: Request, param: Parameter) -> str | None:
        if param.location == "path":
            value = request.path_params.get(param.name)
            return None if value is None else str(value)
        if param.location == "query":
            return request.query_params.get(param.name)
        return request.headers.get(param.name)

    async def validate(self, request: Request, operation: Operation) -> ValidRequest:
        """The validated request, or the problem that explains what to fix."""
        errors: list[FieldError] = []
        params: dict[str, Any] = {}
        for param in operation.parameters:
            raw = self._parameter_value(request, param)
            location = _LOCATIONS.get(param.location, param.location.upper())
            if raw is None:
                if param.required:
                    special = _MISSING_HEADER_PROBLEMS.get(param.name.lower()) if param.location == "header" else None
                    if special is not None:
                        problem, detail = special
                        raise problem(detail)
                    errors.append(FieldError(location, f"/{param.name}", f"{param.name} is required"))
                elif "default" in param.schema:
                    params[param.name] = param.schema["default"]
                continue
            value = _convert(raw, param.schema)
            errors.extend(self._errors(param.schema_pointer, value, location, f"/{param.name}"))
            params[param.name] = value
        body = await self._body(request, operation, errors)
        if errors:
            raise validation_failed(errors)
        return ValidRequest(params=params, body=body)

    async def _body(self, request: Request, operation: Operation, errors: list[FieldError]) -> Any:
        if not operation.body_media_types:
            return None
        raw = await request.body()
        content_type = request.headers.get("content-type")
        if not raw and content_type is None:
            if operation.body_required:
                errors.append(FieldError("BODY", "", "a JSON request body is required"))
            return None
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type not in operation.body_media_types:
            accepted = ", ".join(operation.body_media_types)
            raise UnsupportedMediaType(f"Send the body as {accepted}, not {media_type or 'an unnamed media type'}.")
        if not raw:
            if operation.body_required:
                errors.append(FieldError("BODY", "", "a JSON request body is required"))
            return None
        try:
            body = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise MalformedRequest(f"The request body is not valid JSON: {exc}.") from exc
        if operation.body_schema_pointer is not None:
            errors.extend(self._errors(operation.body_schema_pointer, body, "BODY", ""))
        return body


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """Give a contract-valid body its typed model; values the contract cannot judge become a 422."""
    try:
        return model.model_validate(body)
    except PydanticValidationError as exc:
        errors = [FieldError("BODY", join(err["loc"]), err["msg"]) for err in exc.errors()]
        raise validation_failed(errors) from exc
