"""Examples and the schemas they illustrate, and a fast validator for checking one against the other.

Validation uses jsonschema-rs (Rust; about fifty times faster than the pure-Python ``jsonschema`` on
big documents). Every file of the contract is registered once under its ``file://`` URI, so a
schema is validated in place with ``{"$ref": "<file>#<pointer>"}`` and its relative refs resolve
as they are written; validators are cached per schema. jsonschema-rs would fetch any other URI
itself (files from disk, ``http:`` from the network): its retriever here refuses every one, so only
files the workspace admitted are ever seen. OpenAPI 3.0 schemas are validated as JSON
Schema draft 4 (boolean ``exclusiveMinimum``) and ``nullable: true`` is honoured by ignoring the
errors it would excuse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from contractkit.lint.context import LintContext
from contractkit.lint.model import Node
from contractkit.loading import Document
from contractkit.loading import pointer as jsonpointer

# Error messages quote the instance; a whole example quoted back is noise.
_MAX_MESSAGE = 240


@dataclass(frozen=True, slots=True)
class ExampleUse:
    """One example value next to the schema it must match."""

    schema: Node
    example: Node  # where the value is written (in the file that holds it)


def example_uses(ctx: LintContext) -> Iterator[ExampleUse]:
    """Every example in the contract with its schema: media types, parameters, headers and schemas."""
    holders = [view.node for view in ctx.index.media_types]
    holders += ctx.index.parameters
    seen_headers: set[tuple[str, str]] = set()
    for header in ctx.index.headers:
        if header.target.key not in seen_headers:
            seen_headers.add(header.target.key)
            holders.append(header.target)
    for holder in holders:
        schema = holder.child("schema")
        if isinstance(schema.value, dict):
            yield from _beside(ctx, holder, schema)
    for view in ctx.index.schemas:
        node = view.node
        if "example" in node.value:
            yield ExampleUse(node, node.child("example"))
        listed = node.get("examples")
        if isinstance(listed, list):
            for position in range(len(listed)):
                yield ExampleUse(node, node.child("examples", position))


def _beside(ctx: LintContext, holder: Node, schema: Node) -> Iterator[ExampleUse]:
    if len(schema.value) == 1 and "$ref" in schema.value:
        # Validate against the referenced schema itself: one validator per component, not per use.
        schema = ctx.follow(schema)
    if "example" in holder.value:
        yield ExampleUse(schema, holder.child("example"))
    examples = holder.child("examples")
    if isinstance(examples.value, dict):
        for name in examples.value:
            example = ctx.follow(examples.child(name))
            if isinstance(example.value, dict) and "value" in example.value:
                yield ExampleUse(schema, example.child("value"))


def _refuse(uri: str) -> Any:
    raise ValueError(f"{uri} is not one of the contract's files; lint never fetches schemas")


class ExampleValidator:
    """Validates example values against the schemas of one contract."""

    def __init__(self, documents: list[Document], openapi_30: bool) -> None:
        self._openapi_30 = openapi_30
        self._documents = documents
        self._registry_built: Any = None
        self._registry_failed = False
        self._leaves: dict[str, Any] = {}

    def problems(self, uses: list[ExampleUse]) -> Iterator[tuple[ExampleUse, str]]:
        """``(use, why it is invalid)`` for every invalid example; each pair is validated once.

        Uses are grouped by schema so each validator is compiled once and dropped after its group:
        a compiled validator holds the whole graph of schemas its schema refers to, and keeping a
        thousand of them (GitHub's description) would cost more memory than the document itself.
        """
        by_schema: dict[tuple[str, str], list[ExampleUse]] = {}
        for use in uses:
            by_schema.setdefault(use.schema.key, []).append(use)
        for group in by_schema.values():
            validator = self._validator(group[0].schema)
            if validator is None:
                continue
            checked: set[tuple[str, str]] = set()
            for use in group:
                if use.example.key not in checked:
                    checked.add(use.example.key)
                    problem = self._problem(validator, use)
                    if problem is not None:
                        yield use, problem

    def _registry(self) -> Any:
        # Built on first need: copying a 13 MB document into Rust costs about 0.1 s and 100 MB. A
        # registry that cannot be built (a ref to something not registered) is not retried per schema.
        if self._registry_failed:
            raise ValueError("the contract's schemas refer to something outside its files")
        if self._registry_built is None:
            draft = jsonschema_rs.Draft4 if self._openapi_30 else jsonschema_rs.Draft202012
            documents = [(doc.uri, doc.data) for doc in self._documents if isinstance(doc.data, dict)]
            try:
                self._registry_built = jsonschema_rs.Registry(documents, draft=draft, retriever=_refuse)
            except (ValueError, jsonschema_rs.ReferencingError):
                self._registry_failed = True
                raise
        return self._registry_built

    def _problem(self, validator: Any, use: ExampleUse) -> str | None:
        if self._openapi_30 and use.example.value is None and use.schema.get("nullable") is True:
            return None
        for error in validator.iter_errors(use.example.value):
            if self._openapi_30 and self._excused_by_nullable(error):
                continue
            where = "/" + "/".join(str(token) for token in error.instance_path)
            message = str(error.message)
            if len(message) > _MAX_MESSAGE:
                message = message[: _MAX_MESSAGE - 3] + "..."
            return f"example does not match its schema at {where}: {message}"
        return None

    def _validator(self, schema: Node) -> Any:
        cls = jsonschema_rs.Draft4Validator if self._openapi_30 else jsonschema_rs.Draft202012Validator
        leaf = _leaf_key(schema.value)
        try:
            if leaf is None:
                reference = {"$ref": f"{schema.document.uri}#{quote(schema.pointer, safe='/~')}"}
                return cls(reference, registry=self._registry(), validate_formats=True, retriever=_refuse)
            # Most examples sit on small leaf schemas (`type: string, format: uri`), many of them
            # identical: compile those standalone, once per distinct shape, without the registry.
            validator = self._leaves.get(leaf)
            if validator is None:
                validator = self._leaves[leaf] = cls(json.loads(leaf), validate_formats=True, retriever=_refuse)
            return validator
        except (ValueError, jsonschema_rs.ReferencingError):
            # A schema the validator cannot compile (a broken ref, a bad regex) is validate's to report.
            return None

    def _excused_by_nullable(self, error: Any) -> bool:
        # OpenAPI 3.0's `nullable: true` has no JSON Schema meaning; a null that failed a schema saying
        # it is nullable (itself or a oneOf/anyOf branch) is fine.
        if error.instance is not None or not error.schema_path:
            return False
        tokens = [str(token) for token in error.schema_path[:-1]]
        for document in self._documents:
            schema = _walk(document.data, tokens)
            if isinstance(schema, dict) and _nullable(document.data, schema):
                return True
        return False


# Keywords that hold subschemas or references; a schema with none of them validates on its own.
_NESTING = frozenset(
    {
        "$ref", "$dynamicRef", "$defs", "definitions", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
        "items", "prefixItems", "additionalItems", "contains", "properties", "patternProperties",
        "additionalProperties", "propertyNames", "dependentSchemas", "unevaluatedItems", "unevaluatedProperties",
        "discriminator",
    }
)  # fmt: skip
# Keywords that do not constrain values (and differ between otherwise identical leaf schemas).
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "x-", "deprecated", "readOnly", "writeOnly"})


def _leaf_key(schema: Any) -> str | None:
    if not isinstance(schema, dict) or any(keyword in schema for keyword in _NESTING):
        return None
    kept = {k: v for k, v in schema.items() if k not in _ANNOTATIONS and not k.startswith("x-")}
    return json.dumps(kept, sort_keys=True)


def _walk(data: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(data, dict):
            data = data.get(token)
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return None
    return data


def _nullable(data: Any, schema: dict[str, Any]) -> bool:
    if schema.get("nullable") is True:
        return True
    for keyword in ("oneOf", "anyOf", "allOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            for branch in branches:
                if isinstance(branch, dict) and isinstance(branch.get("$ref"), str) and branch["$ref"].startswith("#/"):
                    tokens = jsonpointer.split(branch["$ref"][1:])
                    branch = _walk(data, tokens)
                if isinstance(branch, dict) and branch.get("nullable") is True:
                    return True
    return False
