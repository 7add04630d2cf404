"""Whole contracts on disk: refactors that change nothing, and a change in a shared file with its consumers."""

from __future__ import annotations

from datetime import date

from contractkit.diff import DiffOptions, Level, diff_contracts
from tests.contractkit.diff.corpus import PAIRS

REFACTORS = PAIRS / "refactors"
SHOP = PAIRS / "shop"


def test_refactors_produce_nothing_in_either_direction() -> None:
    # Key order, formatting, inline <-> $ref (also across files), a renamed path parameter, parameters moved
    # between path item and operation, renamed operationIds, reworded descriptions.
    base, revision = REFACTORS / "base" / "openapi.yaml", REFACTORS / "revision" / "openapi.yaml"
    assert diff_contracts(base, revision, DiffOptions(pacts=None)).findings == []
    assert diff_contracts(revision, base, DiffOptions(pacts=None)).findings == []


def _shop() -> dict[tuple[str, str | None, str | None], list[str]]:
    options = DiffOptions(today=date(2026, 6, 1), pacts=SHOP / "revision" / "pacts")
    report = diff_contracts(
        SHOP / "base" / "items" / "openapi.yaml", SHOP / "revision" / "items" / "openapi.yaml", options
    )
    return {(f.check.id, f.operation, f.field): [str(impact) for impact in f.consumers] for f in report.findings}


def test_a_change_in_a_shared_file_reaches_every_operation_using_it() -> None:
    assert set(_shop()) == {
        ("breaking-change-without-major-version", None, None),
        ("operation-removed-without-deprecation", "DELETE /v1/items/{itemId}", None),
        ("request-range-narrowed", "GET /v1/items", None),
        ("response-optional-property-removed", "GET /v1/items", "items[].price.note"),
        ("response-optional-property-removed", "GET /v1/items/{itemId}", "price.note"),
        ("request-property-removed", "POST /v1/items", "price.note"),
        ("response-optional-property-removed", "POST /v1/items", "price.note"),
    }


def test_findings_name_the_consumers_that_exercise_them() -> None:
    findings = _shop()
    assert findings[("operation-removed-without-deprecation", "DELETE /v1/items/{itemId}", None)] == [
        "storefront — 'a request to delete an item'"
    ]
    # The pact sends `limit`, and a matching rule names `items[*].price.note`: both are called out.
    assert findings[("request-range-narrowed", "GET /v1/items", None)] == [
        "storefront — 'a request for a page of items' (uses `limit`)"
    ]
    assert findings[("response-optional-property-removed", "GET /v1/items", "items[].price.note")] == [
        "storefront — 'a request for a page of items' (uses `items[].price.note`)"
    ]
    assert findings[("response-optional-property-removed", "GET /v1/items/{itemId}", "price.note")] == []
    # The version gate breaks whom its breaking findings break.
    assert sorted(findings[("breaking-change-without-major-version", None, None)]) == [
        "storefront — 'a request for a page of items' (uses `limit`)",
        "storefront — 'a request to delete an item'",
    ]


def test_findings_carry_file_line_and_pointer_on_both_sides() -> None:
    options = DiffOptions(pacts=None)
    report = diff_contracts(
        SHOP / "base" / "items" / "openapi.yaml", SHOP / "revision" / "items" / "openapi.yaml", options
    )
    by_check = {f.check.id: f for f in report.findings if f.operation != "GET /v1/items/{itemId}"}
    limit = by_check["request-range-narrowed"]
    assert limit.level is Level.BREAKING
    assert limit.base is not None
    assert limit.revision is not None
    assert limit.base.file.endswith("base/shared/parameters.yaml")
    assert (limit.base.line, limit.revision.line, limit.revision.pointer) == (4, 4, "/Limit/schema/maximum")
    assert limit.message == (
        "Query parameter `limit`: upper bound ≤ 100 → ≤ 50; a request that was valid before is rejected now."
    )
    removed = by_check["operation-removed-without-deprecation"]
    assert removed.base is not None
    assert removed.revision is not None
    assert (removed.base.line, removed.base.pointer) == (47, "/paths/~1v1~1items~1{itemId}/delete")
    # Not in the revision: placed at its nearest existing ancestor, the path item.
    assert removed.revision.line == 36
