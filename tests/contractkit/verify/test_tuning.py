"""Reading `x-semantic-rejection` from a contract."""

from __future__ import annotations

from typing import Any

from contractkit.verify import semantic_rejections

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/v1/coupons": {
            "post": {
                "responses": {
                    "201": {"description": "created"},
                    "422": {"$ref": "#/components/responses/RulesViolated"},
                    "default": {"description": "x", "x-semantic-rejection": True},
                }
            },
            "get": {"responses": {"422": {"description": "x", "x-semantic-rejection": False}}},
        },
        "/v1/coupons/{id}": {"patch": {"responses": {"409": {"description": "x", "x-semantic-rejection": True}}}},
    },
    "components": {"responses": {"RulesViolated": {"description": "x", "x-semantic-rejection": True}}},
}


def test_marked_responses_are_found_per_operation_through_refs() -> None:
    assert semantic_rejections(DOCUMENT) == {"POST /v1/coupons": ["422"], "PATCH /v1/coupons/{id}": ["409"]}


def test_documents_without_paths_have_none() -> None:
    assert semantic_rejections({"openapi": "3.1.0"}) == {}
