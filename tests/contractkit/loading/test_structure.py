"""The map of which OpenAPI object kind sits where."""

from __future__ import annotations

from typing import Any

from contractkit.loading import Kind, iter_objects

DOCUMENT: dict[str, Any] = {
    "paths": {
        "x-internal": {"get": {}},
        "/v1/a": {
            "parameters": [{"$ref": "#/components/parameters/P"}],
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"properties": {"n": {}}}}}},
                "responses": {
                    "x-note": {"description": "an extension, not a response"},
                    "200": {"headers": {"X-Rate-Limit": {"schema": {}}}, "links": {"L": {}}},
                },
                "callbacks": {"onEvent": {"{$request.body#/url}": {"post": {}}}},
            },
        },
    },
    "components": {"schemas": {"S": {"items": [{}, {}], "example": {"$ref": "not a ref"}}}},
}


def test_every_object_gets_its_kind() -> None:
    kinds = {pointer: kind for pointer, kind, _ in iter_objects(DOCUMENT)}
    assert kinds["/paths/~1v1~1a"] is Kind.PATH_ITEM
    assert kinds["/paths/~1v1~1a/parameters/0"] is Kind.PARAMETER
    assert kinds["/paths/~1v1~1a/post/requestBody"] is Kind.REQUEST_BODY
    assert kinds["/paths/~1v1~1a/post/requestBody/content/application~1json/schema/properties/n"] is Kind.SCHEMA
    # Header names are names, even when they start with X-.
    assert kinds["/paths/~1v1~1a/post/responses/200/headers/X-Rate-Limit"] is Kind.HEADER
    assert kinds["/paths/~1v1~1a/post/responses/200/links/L"] is Kind.LINK
    assert kinds["/paths/~1v1~1a/post/callbacks/onEvent/{$request.body#~1url}/post"] is Kind.OPERATION
    assert kinds["/components/schemas/S/items/1"] is Kind.SCHEMA


def test_extensions_and_literals_are_not_objects() -> None:
    pointers = {pointer for pointer, _, _ in iter_objects(DOCUMENT)}
    assert "/paths/x-internal" not in pointers
    assert "/paths/~1v1~1a/post/responses/x-note" not in pointers
    assert "/components/schemas/S/example" not in pointers
