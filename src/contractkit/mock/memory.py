"""What the mock remembers: resources a create made, so reads, changes and lists see them.

The contract says which operations are about the same resource, through the OpenAPI `links` its
Schemathesis stateful phase also follows: a create whose response links to a read (a GET) of the same
schema, binding the read's path parameters to values of the created body (`$response.body#/id`), makes
a resource the mock keeps under those values: the create's example with what the client sent (and the
defaults of what it left out) in place, fresh values for the identity, and no example value for an
optional property the client did not send. Then, for the same schema and path parameters:

- a GET answers the resource;
- a PATCH or PUT merges its JSON body in (RFC 7396), if the result is still valid;
- a POST with `x-state-transition` moves the state property from one of its `from` states to `to`, or
  answers its documented 409;
- a DELETE forgets the resource, and later requests for it get the documented 404;
- a list whose items have that schema answers the remembered items, newest first, filtered by its path
  parameters (an item property of the same name) and query filters, and cut at `limit`.

Everything else answers the contract's examples.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

from contractkit.loading.pointer import PointerError, child, resolve, split
from contractkit.mock.answers import Answer, Answers
from contractkit.mock.values import fresh_string
from contractkit.operations import Operation, OperationIndex
from contractkit.server.admission import Admitted

Key = tuple[str, tuple[tuple[str, str], ...]]
_BODY = "$response.body#"


@dataclass(frozen=True, slots=True)
class Creation:
    """A create the contract links to a read of what it made."""

    status: str
    schema_ref: str
    # (path parameter of the read, JSON pointer into the created body that gives its value)
    bindings: tuple[tuple[str, str], ...]
    read: Operation
    operation: Operation


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: `patch`'s members replace `target`'s, `null` removes one."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def _set(body: dict[str, Any], pointer: str, value: Any) -> bool:
    tokens = split(pointer)
    node: Any = body
    for token in tokens[:-1]:
        node = node.get(token) if isinstance(node, dict) else None
    if not tokens or not isinstance(node, dict):
        return False
    node[tokens[-1]] = value
    return True


class Memory:
    """The resources made through the mock, by schema and path parameters."""

    def __init__(self, index: OperationIndex, answers: Answers) -> None:
        self.index = index
        self.answers = answers
        self.creations = {op.operation_id: found for op in index.operations.values() if (found := self._creation(op))}
        self._resources: dict[Key, dict[str, Any]] = {}
        self._gone: set[Key] = set()
        self._taken: dict[tuple[str, str], set[Any]] = {}

    def _creation(self, operation: Operation) -> Creation | None:
        status = self.answers.success(operation)
        if operation.method != "POST" or status is None:
            return None
        ref = self.answers.schema_ref(operation, status)
        response, _ = self.answers.response(operation, status)
        links = response.get("links")
        if ref is None or not isinstance(links, dict):
            return None
        for raw in links.values():
            link = self.answers.values.resolve(raw)
            target = self.index.operations.get(link.get("operationId", "")) if isinstance(link, dict) else None
            if target is None or target.method != "GET" or self._read_ref(target) != ref:
                continue
            parameters = link.get("parameters") if isinstance(link.get("parameters"), dict) else {}
            bindings = tuple(
                (name.removeprefix("path."), expression.removeprefix(_BODY))
                for name, expression in parameters.items()
                if isinstance(expression, str) and expression.startswith(_BODY)
            )
            path_names = {p.name for p in target.parameters if p.location == "path"}
            if path_names and {name for name, _ in bindings} == path_names:
                return Creation(status=status, schema_ref=ref, bindings=bindings, read=target, operation=operation)
        return None

    def _read_ref(self, operation: Operation) -> str | None:
        status = self.answers.success(operation)
        return self.answers.schema_ref(operation, status) if status else None

    def respond(self, operation: Operation, admitted: Admitted, path: str) -> Answer | None:
        """The answer what the mock remembers gives, or None when the examples answer."""
        creation = self.creations.get(operation.operation_id)
        if creation is not None:
            return self._create(creation, admitted, self.answers.answer(operation, creation.status, path))
        return self._existing(operation, admitted, path) or self._list(operation, admitted, path)

    def create_from(self, operation: Operation, admitted: Admitted, preferred: Answer) -> Answer | None:
        """A create made from the example the client asked for, when it asked for the create's success."""
        creation = self.creations.get(operation.operation_id)
        if creation is None or preferred.status != int(creation.status):
            return None
        return self._create(creation, admitted, preferred)

    def _schema(self, ref: str) -> dict[str, Any]:
        """The object schema `ref` names, its `allOf` branches merged."""
        schema = self.answers.values.resolve({"$ref": ref})
        if isinstance(schema, dict) and "allOf" in schema:
            schema = self.answers.values.merged(schema)
        return schema if isinstance(schema, dict) else {}

    def _properties(self, ref: str) -> dict[str, Any]:
        properties = self._schema(ref).get("properties")
        return properties if isinstance(properties, dict) else {}

    def _create(self, creation: Creation, admitted: Admitted, answer: Answer) -> Answer:
        """Remember what a create makes from `answer` (its example and headers), and answer it."""
        operation = creation.operation
        example = answer.body if isinstance(answer.body, dict) else {}
        properties = self._properties(creation.schema_ref)
        body = copy.deepcopy(example)
        # What the client sent (with the defaults of what it left out) shows in what it gets back.
        sent = {**self._request_defaults(operation), **(admitted.body or {})}
        for name, value in sent.items():
            if name in properties:
                body[name] = copy.deepcopy(value)
        self._forget_omitted(body, operation, sent, creation.schema_ref)
        for param in operation.parameters:
            if param.location == "path" and param.name in properties and param.name in admitted.params:
                body[param.name] = admitted.params[param.name]
        identity = {name: self._fresh(creation.schema_ref, pointer, properties) for name, pointer in creation.bindings}
        pointer = self.answers.schema_pointer(operation, creation.status)
        for candidate in (body, copy.deepcopy(example)):
            for name, body_pointer in creation.bindings:
                _set(candidate, body_pointer, identity[name])
            if pointer is None or self.answers.is_valid(pointer, candidate):
                body = candidate
                break
        key: Key = (creation.schema_ref, tuple(sorted((name, str(value)) for name, value in identity.items())))
        self._resources[key] = body
        self._gone.discard(key)
        answer.body = copy.deepcopy(body)
        if "Location" in answer.headers:
            location = creation.read.path
            for name, value in identity.items():
                location = location.replace("{" + name + "}", str(value))
            answer.headers["Location"] = location
        return answer

    def _forget_omitted(self, body: dict[str, Any], operation: Operation, sent: dict[str, Any], ref: str) -> None:
        """Take the example's value out of every property the client could have sent and did not.

        A coupon created without a minimum order has none: the property is left out where the
        resource's schema allows, else null where it accepts null, else the example's value stays.
        """
        required = set(self._schema(ref).get("required", ()))
        for name in self._request_properties(operation) - set(sent):
            if name not in body:
                continue
            if name not in required:
                del body[name]
            elif self._accepts_null(ref, name):
                body[name] = None

    def _accepts_null(self, ref: str, name: str) -> bool:
        pointer = child(child(ref.removeprefix("#"), "properties"), name)
        try:
            resolve(self.answers.document, split(pointer))
        except (PointerError, ValueError):
            return False  # a property of an `allOf` branch: the example's value stays
        return self.answers.is_valid(pointer, None)

    def _request_properties(self, operation: Operation) -> set[str]:
        if operation.body_schema_pointer is None:
            return set()
        schema = self.answers.values.resolve({"$ref": "#" + operation.body_schema_pointer})
        if isinstance(schema, dict) and "allOf" in schema:
            schema = self.answers.values.merged(schema)
        properties = schema.get("properties") if isinstance(schema, dict) else None
        return set(properties) if isinstance(properties, dict) else set()

    def _request_defaults(self, operation: Operation) -> dict[str, Any]:
        if operation.body_schema_pointer is None:
            return {}
        schema = self.answers.values.resolve({"$ref": "#" + operation.body_schema_pointer})
        properties = schema.get("properties") if isinstance(schema, dict) else None
        return {
            name: sub["default"]
            for name, raw in (properties.items() if isinstance(properties, dict) else ())
            if isinstance(sub := self.answers.values.resolve(raw), dict) and "default" in sub
        }

    def _fresh(self, ref: str, pointer: str, properties: dict[str, Any]) -> Any:
        """A value for the identity at `pointer` no remembered resource of this schema has."""
        taken = self._taken.setdefault((ref, pointer), set())
        tokens = split(pointer)
        schema = self.answers.values.resolve(properties.get(tokens[0], {})) if len(tokens) == 1 else {}
        schema = schema if isinstance(schema, dict) else {}
        value: Any
        if schema.get("type") == "integer":
            value = max(taken, default=int(schema.get("minimum", 1)) - 1) + 1
        elif isinstance(schema.get("pattern"), str):
            value = fresh_string(
                schema["pattern"], int(schema.get("minLength", 1)), schema.get("maxLength"), lambda v: v not in taken
            )
        else:
            value = None
        if value is None:
            value = str(uuid.uuid4())
        taken.add(value)
        return value

    def _resource_ref(self, operation: Operation) -> tuple[str | None, bool]:
        """The schema of the resource an operation is about, and whether its success answers that resource.

        An operation whose success has no body of its own (a DELETE answered 204) is about the resource
        the GET of the same path reads.
        """
        own = self._read_ref(operation)
        if own is not None:
            return own, True
        reads = [op for op in self.index.operations.values() if op.path == operation.path and op.method == "GET"]
        return (self._read_ref(reads[0]) if reads else None), False

    def _existing(self, operation: Operation, admitted: Admitted, path: str) -> Answer | None:
        status = self.answers.success(operation)
        ref, answers_resource = self._resource_ref(operation)
        params = tuple(
            sorted((p.name, str(admitted.params[p.name])) for p in operation.parameters if p.location == "path")
        )
        if status is None or ref is None or not params:
            return None
        key: Key = (ref, params)
        if key in self._gone:
            return self.answers.answer(operation, "404", path) if "404" in self.answers.statuses(operation) else None
        resource = self._resources.get(key)
        if resource is None:
            return None
        if operation.method == "DELETE":
            del self._resources[key]
            self._gone.add(key)
            answer = self.answers.answer(operation, status, path)
            if answers_resource:
                answer.body = copy.deepcopy(resource)
            return answer
        if operation.method in ("PATCH", "PUT") and isinstance(admitted.body, dict):
            merged = merge_patch(resource, admitted.body)
            pointer = self.answers.schema_pointer(operation, status)
            if pointer is None or self.answers.is_valid(pointer, merged):
                resource = self._resources[key] = merged
        elif operation.transition is not None:
            move = operation.transition
            current = resource.get(move.property)
            if current in move.sources:
                resource[move.property] = move.target
            elif not (current == move.target and move.repeatable) and "409" in self.answers.statuses(operation):
                return self.answers.answer(operation, "409", path)
        answer = self.answers.answer(operation, status, path)
        if answers_resource:
            answer.body = copy.deepcopy(resource)
        return answer

    def _list(self, operation: Operation, admitted: Admitted, path: str) -> Answer | None:
        status = self.answers.success(operation)
        if not operation.is_list or status is None:
            return None
        pointer = self.answers.schema_pointer(operation, status)
        page = self.answers.values.resolve({"$ref": "#" + pointer}) if pointer is not None else None
        if isinstance(page, dict) and "allOf" in page:
            page = self.answers.values.merged(page)
        items_schema = page.get("properties", {}).get("items", {}) if isinstance(page, dict) else {}
        item_ref = items_schema.get("items", {}).get("$ref") if isinstance(items_schema, dict) else None
        remembered = [body for (ref, _), body in reversed(self._resources.items()) if ref == item_ref]
        if item_ref is None or not remembered:
            return None
        wanted = [
            (param, admitted.params[param.name])
            for param in operation.parameters
            if param.name in admitted.params
            and (param.location == "path" or (param.location == "query" and param in operation.filters))
        ]
        kept = [
            body
            for body in remembered
            if all(param.keeps(body.get(param.filter_property or param.name), value) for param, value in wanted)
        ]
        limit = admitted.params.get("limit")
        answer = self.answers.answer(operation, status, path)
        body = dict(answer.body) if isinstance(answer.body, dict) else {}
        body["items"] = copy.deepcopy(kept[:limit] if isinstance(limit, int) else kept)
        if "nextCursor" in body:
            body["nextCursor"] = None
        answer.body = body
        return answer
