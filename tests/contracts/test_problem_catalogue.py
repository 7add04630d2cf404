"""The error catalogue (`contracts/shared/problem-types.yaml`) matches the contracts and the code.

Every problem `type` an example shows and every problem a service can raise has a catalogue entry
with the same title, status and code, so every `type` a client receives resolves to a real page.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import dataservices
from contractkit.bundle import bundle
from contractkit.operations import OperationIndex
from contractkit.server.problem_details import Problem

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE: dict[str, dict[str, Any]] = yaml.safe_load((ROOT / "contracts/shared/problem-types.yaml").read_text())
TYPE_URI = re.compile(r"^https://dataservices\.example\.com/errors/([a-z0-9-]+)/$")
# Bases that group refusals; they are never raised themselves.
ABSTRACT = {"RedemptionRefused"}


def _problem_classes() -> list[type[Problem]]:
    """Every problem type the services can answer: their own, and those of the shared request checks."""
    for module in pkgutil.walk_packages(dataservices.__path__, "dataservices."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[Problem]] = []
    pending = [Problem]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__name__ not in ABSTRACT and sub.__module__.startswith(("dataservices.", "contractkit.server.")):
                found.append(sub)
    return found


def _example_problems(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if isinstance(node.get("type"), str) and "code" in node and "status" in node else []
        return own + [p for value in node.values() for p in _example_problems(value)]
    if isinstance(node, list):
        return [p for value in node for p in _example_problems(value)]
    return []


@pytest.mark.parametrize("problem", _problem_classes(), ids=lambda cls: cls.__name__)
def test_every_problem_class_is_catalogued(problem: type[Problem]) -> None:
    entry = CATALOGUE.get(problem.slug)
    assert entry is not None, f"{problem.__name__} ({problem.slug}) has no catalogue entry"
    assert (entry["title"], entry["status"], entry["code"]) == (problem.title, problem.status, problem.code)


@pytest.mark.parametrize("contract", sorted(ROOT.glob("contracts/*/openapi.yaml")), ids=lambda p: p.parent.name)
def test_every_example_problem_type_is_catalogued(contract: Path) -> None:
    examples = _example_problems(bundle(contract))
    assert examples, "the contract shows no problem examples"
    for example in examples:
        match = TYPE_URI.match(example["type"])
        assert match, f"{example['type']} is not a catalogue URI"
        entry = CATALOGUE[match.group(1)]
        assert (example["title"], example["status"], example["code"]) == (
            entry["title"],
            entry["status"],
            entry["code"],
        )


def test_catalogue_entries_are_complete() -> None:
    for slug, entry in CATALOGUE.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
        assert set(entry) == {"title", "status", "code", "services", "description", "resolution"}, slug
        assert 400 <= entry["status"] <= 599
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", entry["code"])


def test_a_code_is_its_slug_in_upper_snake_case() -> None:
    """The kit finds a problem's catalogue page from its `code` alone (`COUPON_EXHAUSTED` is `coupon-exhausted`)."""
    for slug, entry in CATALOGUE.items():
        assert entry["code"] == slug.upper().replace("-", "_")


@pytest.mark.parametrize("contract", sorted(ROOT.glob("contracts/*/openapi.yaml")), ids=lambda p: p.parent.name)
def test_every_problem_response_lists_its_catalogued_codes(contract: Path) -> None:
    """`x-problem-codes` on each problem response: catalogued codes of its status, its example among them."""
    index = OperationIndex(bundle(contract))
    codes = {entry["code"]: entry for entry in CATALOGUE.values()}
    for operation in index.operations.values():
        for status, response in operation.responses.items():
            if "application/problem+json" not in response.media_types:
                continue
            where = f"{operation.operation_id} {status}"
            assert response.problem_codes, f"{where} does not list its x-problem-codes"
            for code in response.problem_codes:
                assert code in codes, f"{where}: {code} is not in the catalogue"
                assert str(codes[code]["status"]) == status, f"{where}: {code} is a {codes[code]['status']}"
            node = index.resolve(index.document["paths"][operation.path][operation.method.lower()]["responses"][status])
            examples = _example_problems(node)
            assert all(example["code"] in response.problem_codes for example in examples), where
