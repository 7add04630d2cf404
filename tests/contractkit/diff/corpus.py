"""The fixture corpus: base/revision cases written compactly in YAML, expanded into contracts on disk.

A case gives either a ``schema`` pair (placed as the request body and the 200 response body of one operation,
so one case checks both directions), an ``operation`` pair (placed at ``POST /v1/items``) or a whole
``document`` pair. ``expect`` lists the check IDs the diff must report, as a multiset, leaving out the version
gate (``breaking-change-without-major-version``) unless ``gate: true``; ``reverse`` lists what the same pair
gives with base and revision swapped. An entry may add a field: ``request-range-narrowed value``.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints

from contractkit.diff import DiffOptions, DiffReport, diff_contracts

CASES = Path(__file__).parent / "fixtures" / "cases"
PAIRS = Path(__file__).parent / "fixtures" / "pairs"
GATE = "breaking-change-without-major-version"
# Cases judge x-sunset dates as of this day.
TODAY = date(2026, 6, 1)
OPTIONS = DiffOptions(today=TODAY, pacts=None)


@dataclass(frozen=True)
class Case:
    """One base/revision pair and what the diff must find in it."""

    file: str
    name: str
    base: dict[str, Any]
    revision: dict[str, Any]
    expect: list[str]
    reverse: list[str] | None
    gate: bool

    @property
    def id(self) -> str:
        return f"{self.file}: {self.name}"


def _document(openapi: str, components: dict[str, Any] | None, operation: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": openapi,
        "info": {"title": "Items", "version": "1.0.0"},
        "paths": {"/v1/items": {"post": operation}},
    }
    if components:
        document["components"] = copy.deepcopy(components)
    return document


def _schema_operation(schema: Any) -> dict[str, Any]:
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": copy.deepcopy(schema)}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": copy.deepcopy(schema)}}}},
    }


def _sides(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    openapi = raw.get("openapi", "3.1.0")
    components = raw.get("components")
    if "schema" in raw:
        pair = raw["schema"]
        return tuple(  # type: ignore[return-value]
            _document(openapi, components, _schema_operation(pair[side])) for side in ("base", "revision")
        )
    if "operation" in raw:
        pair = raw["operation"]
        return tuple(  # type: ignore[return-value]
            _document(openapi, components, copy.deepcopy(pair[side])) for side in ("base", "revision")
        )
    return copy.deepcopy(raw["document"]["base"]), copy.deepcopy(raw["document"]["revision"])


def load_cases() -> list[Case]:
    """Every case of every file under ``fixtures/cases``."""
    cases = []
    for path in sorted(CASES.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            base, revision = _sides(raw)
            cases.append(
                Case(path.stem, raw["name"], base, revision, raw["expect"], raw.get("reverse"), raw.get("gate", False))
            )
    return cases


def write(directory: Path, document: dict[str, Any]) -> Path:
    """Write ``document`` as ``directory/openapi.yaml``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run(tmp: Path, base: dict[str, Any], revision: dict[str, Any]) -> DiffReport:
    """Diff two documents written under ``tmp``."""
    return diff_contracts(write(tmp / "base", base), write(tmp / "revision", revision), OPTIONS)


def found(report: DiffReport, gate: bool, with_fields: bool) -> Counter[str]:
    """The report's findings as comparable strings (check ID, and field when asked)."""
    entries = Counter[str]()
    for finding in report.findings:
        if finding.check.id == GATE and not gate:
            continue
        entries[f"{finding.check.id} {finding.field}" if with_fields and finding.field else finding.check.id] += 1
    return entries


def expected(entries: list[str]) -> tuple[Counter[str], bool]:
    """The expected multiset, and whether it names fields."""
    return Counter(entries), any(" " in entry for entry in entries)
