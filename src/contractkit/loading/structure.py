"""Which kind of OpenAPI object sits at each place of a document (3.0 and 3.1).

A ``$ref`` means "an object of the kind expected here", so tools that move refs around (the
bundler) or check objects by kind (linters) need this map of the specification's structure.
Only fields that hold OpenAPI objects or schemas are described; everything else (examples,
extensions, ``default``, ``enum``...) is literal data.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from typing import Any

from contractkit.loading.pointer import escape


class Kind(enum.Enum):
    """An OpenAPI object type (the ones that matter for refs and checks)."""

    DOCUMENT = "document"
    COMPONENTS = "components"
    PATH_ITEM = "pathItem"
    OPERATION = "operation"
    PARAMETER = "parameter"
    REQUEST_BODY = "requestBody"
    MEDIA_TYPE = "mediaType"
    ENCODING = "encoding"
    RESPONSE = "response"
    HEADER = "header"
    EXAMPLE = "example"
    LINK = "link"
    CALLBACK = "callback"
    SECURITY_SCHEME = "securityScheme"
    SCHEMA = "schema"


class Shape(enum.Enum):
    """How a field holds its objects."""

    ONE = "one"
    LIST = "list"
    # A map of name -> object; every key is a name (header names like `X-Rate-Limit` included).
    MAP = "map"
    # An object of patterned fields that also allows `x-` extensions (Paths, Responses, Callback).
    PATTERNED = "patterned"


Field = tuple[Kind, Shape]

# The components section a referenced object of each kind belongs in.
COMPONENT_SECTIONS: dict[Kind, str] = {
    Kind.SCHEMA: "schemas",
    Kind.RESPONSE: "responses",
    Kind.PARAMETER: "parameters",
    Kind.EXAMPLE: "examples",
    Kind.REQUEST_BODY: "requestBodies",
    Kind.HEADER: "headers",
    Kind.SECURITY_SCHEME: "securitySchemes",
    Kind.LINK: "links",
    Kind.CALLBACK: "callbacks",
    Kind.PATH_ITEM: "pathItems",
}

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")

_SCHEMA_ONE = (
    "not",
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "contentSchema",
)
_SCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_PARAMETER_FIELDS: dict[str, Field] = {
    "schema": (Kind.SCHEMA, Shape.ONE),
    "content": (Kind.MEDIA_TYPE, Shape.MAP),
    "examples": (Kind.EXAMPLE, Shape.MAP),
}

FIELDS: dict[Kind, dict[str, Field]] = {
    Kind.DOCUMENT: {
        "paths": (Kind.PATH_ITEM, Shape.PATTERNED),
        "webhooks": (Kind.PATH_ITEM, Shape.MAP),
        "components": (Kind.COMPONENTS, Shape.ONE),
    },
    Kind.COMPONENTS: {section: (kind, Shape.MAP) for kind, section in COMPONENT_SECTIONS.items()},
    Kind.PATH_ITEM: {
        **dict.fromkeys(HTTP_METHODS, (Kind.OPERATION, Shape.ONE)),
        "parameters": (Kind.PARAMETER, Shape.LIST),
        "additionalOperations": (Kind.OPERATION, Shape.MAP),
    },
    Kind.OPERATION: {
        "parameters": (Kind.PARAMETER, Shape.LIST),
        "requestBody": (Kind.REQUEST_BODY, Shape.ONE),
        "responses": (Kind.RESPONSE, Shape.PATTERNED),
        "callbacks": (Kind.CALLBACK, Shape.MAP),
    },
    Kind.PARAMETER: _PARAMETER_FIELDS,
    Kind.HEADER: _PARAMETER_FIELDS,
    Kind.REQUEST_BODY: {"content": (Kind.MEDIA_TYPE, Shape.MAP)},
    Kind.MEDIA_TYPE: {
        "schema": (Kind.SCHEMA, Shape.ONE),
        "examples": (Kind.EXAMPLE, Shape.MAP),
        "encoding": (Kind.ENCODING, Shape.MAP),
    },
    Kind.ENCODING: {"headers": (Kind.HEADER, Shape.MAP)},
    Kind.RESPONSE: {
        "headers": (Kind.HEADER, Shape.MAP),
        "content": (Kind.MEDIA_TYPE, Shape.MAP),
        "links": (Kind.LINK, Shape.MAP),
    },
    Kind.SCHEMA: {
        **dict.fromkeys(_SCHEMA_ONE, (Kind.SCHEMA, Shape.ONE)),
        **dict.fromkeys(_SCHEMA_LIST, (Kind.SCHEMA, Shape.LIST)),
        **dict.fromkeys(_SCHEMA_MAP, (Kind.SCHEMA, Shape.MAP)),
    },
    Kind.EXAMPLE: {},
    Kind.LINK: {},
    Kind.SECURITY_SCHEME: {},
    # A Callback object is a patterned map of expression -> Path Item, held by `callbacks`.
    Kind.CALLBACK: {},
}


def field(kind: Kind, key: str) -> Field | None:
    """What the field ``key`` of an object of ``kind`` holds, or ``None`` for literal data."""
    if kind is Kind.CALLBACK:
        # A Callback object's keys are runtime expressions, each naming a Path Item.
        return None if key.startswith("x-") else (Kind.PATH_ITEM, Shape.ONE)
    return FIELDS[kind].get(key)


def members(shape: Shape, value: Any) -> Iterator[tuple[str | None, Any]]:
    """The objects a field of ``shape`` holds, keyed by name or index (``None`` for ``Shape.ONE``).

    Extensions of patterned objects are skipped; a list where one object was expected
    (``items`` in old-style schemas) yields its items.
    """
    if shape is Shape.ONE and not isinstance(value, list):
        yield None, value
    elif shape in (Shape.ONE, Shape.LIST):
        if isinstance(value, list):
            yield from ((str(index), item) for index, item in enumerate(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            if shape is Shape.PATTERNED and key.startswith("x-"):
                continue
            yield key, item


def iter_objects(value: Any, kind: Kind = Kind.DOCUMENT, pointer: str = "") -> Iterator[tuple[str, Kind, Any]]:
    """Every OpenAPI object below ``value`` as ``(pointer, kind, object)``, in document order.

    ``$ref`` objects are yielded as they are (with the kind their target must have), not
    followed; their siblings are still visited (a 3.1 schema may combine ``$ref`` with keywords).
    """
    yield pointer, kind, value
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        spec = field(kind, key)
        if spec is None:
            continue
        child_kind, shape = spec
        base = f"{pointer}/{escape(key)}"
        for name, member in members(shape, item):
            yield from iter_objects(member, child_kind, base if name is None else f"{base}/{escape(name)}")


def object_name(kind: Kind) -> str:
    """``"a Path Item object"``: the kind as the specification names it, for messages."""
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", kind.value)
    name = " ".join(word[0].upper() + word[1:] for word in words.split())
    return f"an {name} object" if name[0] in "AEIOU" else f"a {name} object"


def value_kind(value: Any) -> str:
    """``"a number"``: what a value is, for messages that must not quote the value itself."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), f"a {type(value).__name__}")
