"""Give a contract-valid request body its typed model.

Requests are validated against their contract operation by `contractkit.server.validation` (the same
code `contractkit mock` runs); what is left here is the step only a service takes: parsing the valid
body into the pydantic model its domain code works with.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from contractkit.loading.pointer import join
from contractkit.server.problem_details import FieldError, validation_failed

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """Give a contract-valid body its typed model; values the contract cannot judge become a 422."""
    try:
        return model.model_validate(body)
    except PydanticValidationError as exc:
        errors = [FieldError("BODY", join(err["loc"]), err["msg"]) for err in exc.errors()]
        raise validation_failed(errors) from exc
