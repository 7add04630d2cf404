"""The check registry: one table, well-formed IDs, no duplicates, and the docs page in step with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contractkit.diff import AREAS, CHECKS, FACETS, Check, Level, Registry
from contractkit.diff.catalog import markdown_table
from contractkit.diff.registry import DuplicateCheck, UnknownCheck

DOCS = Path(__file__).parents[3] / "docs" / "tools" / "diff.md"


def _check(check_id: str) -> Check:
    return Check(check_id, Level.INFO, "operations", "s", "e", "i")


def test_registry_refuses_duplicates_malformed_and_unknown_ids() -> None:
    registry = Registry([_check("operation-added")])
    with pytest.raises(DuplicateCheck):
        registry.add(_check("operation-added"))
    for bad in ("Operation-Added", "operation_added", "-x", "x-", ""):
        with pytest.raises(ValueError, match="check IDs"):
            registry.add(_check(bad))
    with pytest.raises(UnknownCheck):
        registry["no-such-check"]


def test_every_check_is_complete_and_in_a_documented_area() -> None:
    for check in CHECKS:
        assert check.area in AREAS, check.id
        assert check.summary.endswith("."), check.id
        assert check.example, check.id
        assert check.impact, check.id
        assert not check.impact.endswith("."), check.id


def test_the_facet_matrix_has_four_checks_per_facet_and_its_levels() -> None:
    for facet in FACETS:
        assert CHECKS[f"request-{facet.name}-narrowed"].level is Level.BREAKING
        assert CHECKS[f"request-{facet.name}-widened"].level is Level.INFO
        assert CHECKS[f"response-{facet.name}-widened"].level is facet.response_widened
        assert CHECKS[f"response-{facet.name}-narrowed"].level is Level.INFO
    # A new response enum value cannot be decided from the contract: the issue's own example of a warning.
    assert CHECKS["response-enum-widened"].level is Level.WARNING


def test_the_docs_page_lists_every_check_in_the_generated_table() -> None:
    page = DOCS.read_text(encoding="utf-8")
    section = re.search(r"<!-- checks:start[^\n]*-->\n(.*?)\n<!-- checks:end -->", page, re.DOTALL)
    assert section is not None, "docs/tools/diff.md lost its check table markers"
    assert section.group(1) == markdown_table(), "regenerate the table (see the marker comment in the page)"
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", page, re.MULTILINE))
    assert {check.id for check in CHECKS} <= documented
