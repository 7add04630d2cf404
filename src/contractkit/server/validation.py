"""Validate a request against its operation in the contract, before any of the server's own code runs.

Parameters arrive as strings and are converted by the type their schema declares; bodies must be
`application/json` and valid JSON. Every invalid value is reported at once as a 422 with `errors[]`.
Two missing headers have their own answers: `Idempotency-Key` (400, the guidelines' rule) and `If-Match`
(428, RFC 6585).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.requests import Request

from contractkit import patterns
from contractkit.loading.pointer import child, join
from contractkit.operations import Operation, OperationIndex, Parameter
from contractkit.server.problem_details import (
    FieldError,
    IdempotencyKeyRequired,
    MalformedRequest,
    PreconditionRequired,
    Problem,
    UnsupportedMediaType,
    validation_failed,
)

_BASE_URI = "urn:dataservices:contract"
# Characters no string of a request may hold, whatever its schema says, because no database can store
# them (the guidelines' storable-text rule, DSL-308): a UTF-16 surrogate on its own (JSON can escape one,
# `"\ud800"`, but it is not a Unicode character, and no encoder can write it back), and U+0000, which
# PostgreSQL text refuses.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Parameter numbers as JSON writes them, whole strings of ASCII digits: `int()` alone would also take
# "5\n", " 5" and "١٢" (Arabic-Indic digits), none of which the contract's integer allows.
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_LOCATIONS = {"path": "PATH", "query": "QUERY", "header": "HEADER"}


# Headers whose absence has a status of its own; any other missing value is a 422.
_MISSING_HEADER_PROBLEMS: dict[str, tuple[type[Problem], str]] = {
    "idempotency-key": (
        IdempotencyKeyRequired,
        "This operation changes money or coupon usage: send an Idempotency-Key so a retry is safe.",
    ),
    "if-match": (PreconditionRequired, "Send If-Match with the resource's current ETag."),
}


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """The `pattern` keyword with ECMA-262's `$`: "SUMMER10\n" does not match `^[A-Z0-9]+$`."""
    if validator.is_type(instance, "string") and not patterns.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with the contract's regular-expression dialect.
ContractValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


def _unstorable_text(text: str) -> str | None:
    """What makes `text` impossible to store, or None when it can be stored."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not hold U+0000 (NUL): it cannot be stored"
    return "must be valid Unicode text; it holds a lone surrogate"


def _unstorable(value: Any, pointer: str = "", location: str = "BODY") -> list[FieldError]:
    """Every string (or property name) of a JSON value that no database can store (see `_UNSTORABLE`)."""
    if isinstance(value, str):
        problem = _unstorable_text(value)
        return [FieldError(location, pointer, problem)] if problem else []
    errors: list[FieldError] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if _unstorable_text(key):
                errors.append(FieldError(location, pointer, "has a property name that cannot be stored"))
            else:
                errors.extend(_unstorable(item, child(pointer, key), location))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors.extend(_unstorable(item, child(pointer, index), location))
    return errors


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
    if "integer" in kinds and _INTEGER.fullmatch(raw):
        return int(raw)
    if "number" in kinds and _NUMBER.fullmatch(raw):
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

    def __init__(self, contract: OperationIndex) -> None:
        self.contract = contract
        resource: Resource[Any] = Resource.from_contents(contract.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        self._validators: dict[str, Any] = {}
        self._formats = FormatChecker()
        # The compiled (Rust) validator of every schema the contract's operations use, built at start-up:
        # it answers "valid?" in about a microsecond, against about 150 for the Python one, which then
        # runs only for an invalid value, to explain what is wrong.
        registry = jsonschema_rs.Registry([(_BASE_URI, contract.document)])
        pointers = {p.schema_pointer for op in contract.operations.values() for p in op.parameters}
        pointers |= {op.body_schema_pointer for op in contract.operations.values() if op.body_schema_pointer}
        self._compiled = {
            pointer: jsonschema_rs.validator_for(
                {"$ref": f"{_BASE_URI}#{quote(pointer, safe='/~')}"}, registry=registry, validate_formats=True
            )
            for pointer in sorted(pointers)
        }

    def _validator(self, pointer: str) -> Any:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = ContractValidator(
                {"$ref": f"{_BASE_URI}#{pointer}"}, registry=self._registry, format_checker=self._formats
            )
            self._validators[pointer] = validator
        return validator

    def _errors(self, pointer: str, value: Any, location: str, prefix: str) -> list[FieldError]:
        compiled = self._compiled.get(pointer)
        if compiled is not None and compiled.is_valid(value):
            return []
        found = []
        for error in self._validator(pointer).iter_errors(value):
            for specific in _specific(error):
                path = join(specific.absolute_path)
                found.append(FieldError(location, prefix + path, specific.message))
        if not found and compiled is not None:
            # A format the Python validator does not check (a date-time it cannot parse) is still wrong.
            for rs_error in compiled.iter_errors(value):
                found.append(FieldError(location, prefix + join(rs_error.instance_path), rs_error.message))
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
            unstorable = _unstorable(value, f"/{param.name}", location)
            errors.extend(unstorable or self._errors(param.schema_pointer, value, location, f"/{param.name}"))
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
        unreadable = _unstorable(body)
        if unreadable:
            errors.extend(unreadable)
        elif operation.body_schema_pointer is not None:
            errors.extend(self._errors(operation.body_schema_pointer, body, "BODY", ""))
        return body
