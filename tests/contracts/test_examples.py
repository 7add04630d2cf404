"""Every example in every contract is valid against the schema it illustrates.

Examples are what readers copy and what Schemathesis sends in its examples phase; an invalid one
teaches the wrong shape and turns a conformance run into noise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contractkit.bundle import bundle

CONTRACTS = sorted((Path(__file__).resolve().parents[2] / "contracts").glob("*/openapi.yaml"))
BASE = "urn:contract"


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _examples(document: dict[str, Any], node: Any, pointer: str) -> Iterator[tuple[str, str, Any]]:
    """(schema pointer, example location, example value) for every example beside a schema."""
    if isinstance(node, dict):
        schema_pointer = f"{pointer}/schema"
        if "schema" in node and isinstance(node["schema"], dict):
            if "example" in node:
                yield schema_pointer, f"{pointer}/example", node["example"]
            for name, example in (node.get("examples") or {}).items():
                resolved = _resolve(document, example)
                if isinstance(resolved, dict) and "value" in resolved:
                    yield schema_pointer, f"{pointer}/examples/{name}", resolved["value"]
        elif "example" in node and ("type" in node or "$ref" in node or "oneOf" in node or "allOf" in node):
            yield pointer, f"{pointer}/example", node["example"]
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _examples(document, value, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _examples(document, value, f"{pointer}/{index}")


def _cases() -> Iterator[Any]:
    for contract in CONTRACTS:
        document = bundle(contract)
        for schema_pointer, where, value in _examples(document, document, ""):
            yield pytest.param(document, schema_pointer, value, id=f"{contract.parent.name}:{where}")


@pytest.mark.parametrize(("document", "schema_pointer", "example"), list(_cases()))
def test_example_matches_its_schema(document: dict[str, Any], schema_pointer: str, example: Any) -> None:
    registry: Registry[Any] = Registry().with_resource(
        BASE, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator(
        {"$ref": f"{BASE}#{schema_pointer}"}, registry=registry, format_checker=FormatChecker()
    )
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(example)
    ]
    assert problems == []


def test_every_contract_has_examples() -> None:
    counts = {
        contract.parent.name: sum(1 for _ in _examples(bundle(contract), bundle(contract), ""))
        for contract in CONTRACTS
    }
    assert counts
    assert all(count >= 10 for count in counts.values()), counts
