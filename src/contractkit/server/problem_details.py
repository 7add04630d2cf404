"""RFC 9457 problem details: the problem types a contract's request checks raise, and their documents.

Every refusal is a `Problem` with a type slug, title, status and stable code; a validation problem lists
each invalid value in `errors[]`. Services subclass `Problem` for their own refusals; the ones here are
those any server of a contract can raise before its own code runs (bad body, missing token, unknown
path, invalid values, missing condition headers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The data-service guidelines' error catalogue: a problem's `type` is this URI plus its slug and a slash.
CATALOGUE_BASE_URI = "https://dataservices.example.com/errors/"
# Characters RFC 3986 allows unescaped in a path; anything else in `instance` is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid part of a request, as listed in a problem's `errors`."""

    location: str  # BODY, QUERY, PATH or HEADER
    pointer: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"location": self.location, "pointer": _clip(self.pointer, 512), "message": _clip(self.message, 500)}


def problem_instance(path: str) -> str:
    """A request path as a problem's `instance`: percent-encoded where RFC 3986 asks, within the schema's length."""
    return _clip(quote(path, safe=_PATH_SAFE), 2048)


def _clip(text: str, limit: int) -> str:
    """Keep a text within the length the problem schema allows (messages may quote long input)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Problem(Exception):
    """An error with a problem type; subclasses fix slug, title, status and code."""

    slug: str = "internal-error"
    title: str = "Internal error"
    status: int = 500
    code: str = "INTERNAL_ERROR"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})

    def body(self, base_uri: str, instance: str) -> dict[str, Any]:
        """The problem document for this occurrence."""
        document: dict[str, Any] = {
            "type": f"{base_uri}{self.slug}/",
            "title": self.title,
            "status": self.status,
            "detail": _clip(self.detail, 2000),
            "instance": problem_instance(instance),
            "code": self.code,
        }
        if self.errors:
            document["errors"] = [error.as_json() for error in self.errors]
        return document


class MalformedRequest(Problem):
    slug, title, status, code = "malformed-request", "Malformed request", 400, "MALFORMED_REQUEST"


class IdempotencyKeyRequired(Problem):
    slug, title, status, code = (
        "idempotency-key-required",
        "Idempotency key required",
        400,
        "IDEMPOTENCY_KEY_REQUIRED",
    )


class Unauthenticated(Problem):
    slug, title, status, code = "unauthenticated", "Unauthenticated", 401, "UNAUTHENTICATED"


class InsufficientScope(Problem):
    slug, title, status, code = "insufficient-scope", "Insufficient scope", 403, "INSUFFICIENT_SCOPE"


class ResourceNotFound(Problem):
    slug, title, status, code = "resource-not-found", "Resource not found", 404, "RESOURCE_NOT_FOUND"


class MethodNotAllowed(Problem):
    slug, title, status, code = "method-not-allowed", "Method not allowed", 405, "METHOD_NOT_ALLOWED"


class ContentTooLarge(Problem):
    slug, title, status, code = "content-too-large", "Content too large", 413, "CONTENT_TOO_LARGE"


class UnsupportedMediaType(Problem):
    slug, title, status, code = (
        "unsupported-media-type",
        "Unsupported media type",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )


class ValidationFailed(Problem):
    slug, title, status, code = "validation-failed", "Validation failed", 422, "VALIDATION_FAILED"


class PreconditionRequired(Problem):
    slug, title, status, code = (
        "precondition-required",
        "Precondition required",
        428,
        "PRECONDITION_REQUIRED",
    )


class InternalError(Problem):
    """The fallback for every exception that is not a `Problem`."""


def validation_failed(errors: Sequence[FieldError]) -> ValidationFailed:
    """A 422 that lists every invalid value."""
    count = len(errors)
    noun = "value" if count == 1 else "values"
    return ValidationFailed(f"{count} {noun} in the request {'is' if count == 1 else 'are'} invalid.", errors=errors)


@dataclass(frozen=True, slots=True)
class RenderedProblem:
    """A problem as it is answered: its status, its headers and its `application/problem+json` document."""

    status: int
    headers: dict[str, str]
    body: bytes
    media_type: str = PROBLEM_MEDIA_TYPE


def render_problem(problem: Problem, base_uri: str, instance: str) -> RenderedProblem:
    """The one rendering of a problem, for the request at path `instance` (the document is compact UTF-8 JSON).

    Every problem goes through here: the exception handlers, the request checks, authentication, the body
    limit, the last-resort 500, and, in the services, an unavailable database and the refusals an
    idempotency key records and replays.
    """
    return RenderedProblem(problem.status, dict(problem.headers), orjson.dumps(problem.body(base_uri, instance)))
