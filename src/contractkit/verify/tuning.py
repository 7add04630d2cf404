"""What the contract itself says about how it may be verified.

Two statuses are taken from the contract, never from a configuration file:

- ``x-semantic-rejection: true`` on a response: the operation may reject input that is valid by its
  JSON Schema with that status, because of a rule JSON Schema cannot express (a validity window whose
  end is before its start, an amount above a balance). Schemathesis's ``positive_data_acceptance``
  check then accepts that status for that operation only.
- a documented ``428`` response: RFC 6585 defines 428 Precondition Required as the answer to a request
  that lacks a required condition header (``If-Match``), so ``missing_required_header`` accepts 428 for
  that operation only.

Nothing else is ever relaxed.
"""

from __future__ import annotations

import re
from typing import Any

from contractkit.loading import pointer as jsonpointer
from contractkit.loading.structure import HTTP_METHODS

SEMANTIC_REJECTION = "x-semantic-rejection"
# Codes and ranges Schemathesis can expect (`422`, `4XX`); `default` names no status and is skipped.
_STATUS = re.compile(r"^[1-5](?:[0-9]{2}|XX)$", re.IGNORECASE)


def semantic_rejections(document: dict[str, Any]) -> dict[str, list[str]]:
    """``{"POST /v1/coupons": ["422"], ...}`` for every response marked ``x-semantic-rejection: true``.

    ``document`` must be bundled (responses under ``components`` are followed through local refs).
    Keys are Schemathesis operation labels (method and path as written in the contract).
    """
    found: dict[str, list[str]] = {}
    for label, responses in _operations(document):
        statuses = [
            status
            for status, response in responses.items()
            if _STATUS.match(status) and _local(document, response).get(SEMANTIC_REJECTION) is True
        ]
        if statuses:
            found[label] = statuses
    return found


def precondition_required(document: dict[str, Any]) -> list[str]:
    """Labels of the operations that document ``428`` (RFC 6585) for a missing condition header."""
    labels = []
    for label, responses in _operations(document):
        if "428" in responses:
            labels.append(label)
    return labels


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``("METHOD /path", responses)`` for every operation of a bundled document."""
    found = []
    paths = document.get("paths")
    for path, path_item in paths.items() if isinstance(paths, dict) else ():
        if not isinstance(path_item, dict):
            continue
        for method in HTTP_METHODS:
            operation = path_item.get(method)
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if isinstance(responses, dict):
                found.append((f"{method.upper()} {path}", responses))
    return found


def _local(document: dict[str, Any], value: Any) -> dict[str, Any]:
    """The object a response (or a local ``#/...`` ref to one) stands for; ``{}`` if it leads nowhere."""
    target, _ = jsonpointer.local_target(document, value)
    return target if isinstance(target, dict) and "$ref" not in target else {}
