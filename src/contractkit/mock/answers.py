"""The answers a contract documents for an operation, as the mock sends them.

An answer is a documented status with its body and required headers. The body is a named example of
the response (the first one unless the client names another), its single `example`, or a value built
from its schema (`values`). Headers the contract marks `required` get their example, or a value built
from their schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from contractkit.loading.pointer import child, escape, local_target
from contractkit.mock.prefer import Preference
from contractkit.mock.values import ValueMaker
from contractkit.operations import Operation
from contractkit.server.problem_details import PROBLEM_MEDIA_TYPE, problem_instance

_BASE_URI = "urn:contractkit:mock"
# Media types the mock writes a body in, best first when a response offers several.
_JSON_TYPES = ("application/json", PROBLEM_MEDIA_TYPE)


@dataclass(slots=True)
class Answer:
    """One response the mock sends: status, media type, body (a JSON value) and headers."""

    status: int
    media_type: str | None
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)  # the preferences it honours (Preference-Applied)


def _success_first(status: str) -> tuple[int, str]:
    return (0 if status.startswith("2") else 1, status)


class Answers:
    """Every documented answer of one bundled contract, and a check of bodies against their schemas."""

    def __init__(self, document: dict[str, Any], values: ValueMaker) -> None:
        self.document = document
        self.values = values
        self._registry = jsonschema_rs.Registry([(_BASE_URI, document)])
        self._validators: dict[str, Any] = {}

    def raw(self, operation: Operation) -> dict[str, Any]:
        """The operation object as the bundled contract spells it."""
        node: dict[str, Any] = self.document["paths"][operation.path][operation.method.lower()]
        return node

    def response(self, operation: Operation, status: str) -> tuple[dict[str, Any], str]:
        """The documented response of a status (local refs followed) and its JSON pointer."""
        pointer = f"/paths/{escape(operation.path)}/{operation.method.lower()}/responses/{status}"
        node, ref = local_target(self.document, self.raw(operation)["responses"][status])
        return (node if isinstance(node, dict) else {}), (ref.removeprefix("#") if ref else pointer)

    def statuses(self, operation: Operation) -> list[str]:
        """The documented statuses, successes first (`default` and ranges such as `4XX` are not sent)."""
        return sorted((s for s in self.raw(operation).get("responses", {}) if s.isdigit()), key=_success_first)

    def success(self, operation: Operation) -> str | None:
        """The status an operation answers when nothing else is asked for: its first documented 2xx."""
        statuses = self.statuses(operation)
        return statuses[0] if statuses and statuses[0].startswith("2") else None

    def media(self, operation: Operation, status: str) -> tuple[str | None, dict[str, Any], str]:
        """The media type the mock answers a status in, its content object and the pointer of that object."""
        response, pointer = self.response(operation, status)
        content = response.get("content")
        if not isinstance(content, dict) or not content:
            return None, {}, ""
        media_type = next((m for m in _JSON_TYPES if m in content), next(iter(content)))
        node = content[media_type] if isinstance(content[media_type], dict) else {}
        return media_type, node, child(child(pointer, "content"), media_type)

    def schema_pointer(self, operation: Operation, status: str) -> str | None:
        """The JSON pointer of the body schema of a status, if it has one."""
        _, node, pointer = self.media(operation, status)
        return child(pointer, "schema") if "schema" in node else None

    def schema_ref(self, operation: Operation, status: str) -> str | None:
        """The `$ref` a status's body schema names (`#/components/schemas/Coupon`), which identifies a resource."""
        _, node, _ = self.media(operation, status)
        schema = node.get("schema")
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        return ref if isinstance(ref, str) else None

    def example_names(self, operation: Operation, status: str) -> list[str]:
        _, node, _ = self.media(operation, status)
        examples = node.get("examples")
        return list(examples) if isinstance(examples, dict) else []

    def find_example(self, operation: Operation, name: str, status: str | None) -> str | None:
        """The status whose response has an example called `name` (only `status`, when given)."""
        candidates = [status] if status is not None else self.statuses(operation)
        return next((s for s in candidates if name in self.example_names(operation, s)), None)

    def answer(self, operation: Operation, status: str, path: str, example: str | None = None) -> Answer:
        """The documented answer of `status`: the named example (or the first), else a value from the schema."""
        media_type, node, _ = self.media(operation, status)
        body: Any = None
        if media_type is not None:
            body = self._example(node, example)
            if media_type == PROBLEM_MEDIA_TYPE and isinstance(body, dict) and "instance" in body:
                body = {**body, "instance": problem_instance(path)}
        return Answer(status=int(status), media_type=media_type, body=body, headers=self.headers(operation, status))

    def preferred(self, operation: Operation, preference: Preference, path: str) -> Answer | None:
        """The answer the client's `Prefer` header names, or None when the contract has no such answer."""
        status = preference.code
        if status is not None and status not in self.statuses(operation):
            return None
        applied = [f"code={status}"] if status is not None else []
        if preference.example is not None:
            status = self.find_example(operation, preference.example, status)
            if status is None:
                return None
            applied.append(f"example={preference.example}")
        assert status is not None
        answer = self.answer(operation, status, path, preference.example)
        answer.applied = applied
        return answer

    def headers(self, operation: Operation, status: str) -> dict[str, str]:
        """A value for every header the response requires: its example, or one built from its schema."""
        response, _ = self.response(operation, status)
        headers = response.get("headers")
        found: dict[str, str] = {}
        for name, raw in headers.items() if isinstance(headers, dict) else ():
            header = self.values.resolve(raw)
            if not isinstance(header, dict) or not header.get("required", False):
                continue
            value = header["example"] if "example" in header else self.values.value(header.get("schema", {}))
            found[name] = value if isinstance(value, str) else str(value)
        return found

    def _example(self, node: dict[str, Any], name: str | None) -> Any:
        examples = node.get("examples")
        if isinstance(examples, dict) and examples:
            chosen = self.values.resolve(examples.get(name) if name in examples else next(iter(examples.values())))
            if isinstance(chosen, dict) and "value" in chosen:
                return chosen["value"]
        if "example" in node:
            return node["example"]
        return self.values.value(node.get("schema", {}))

    def is_valid(self, schema_pointer: str, value: Any) -> bool:
        """Whether `value` is valid against the schema at `schema_pointer` of the contract."""
        validator = self._validators.get(schema_pointer)
        if validator is None:
            reference = {"$ref": f"{_BASE_URI}#{quote(schema_pointer, safe='/~')}"}
            validator = jsonschema_rs.validator_for(reference, registry=self._registry, validate_formats=True)
            self._validators[schema_pointer] = validator
        return bool(validator.is_valid(value))
