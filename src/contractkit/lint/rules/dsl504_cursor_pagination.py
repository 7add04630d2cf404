"""DSL-504: collections are paged with a cursor, in the shared envelope, with a bounded ``limit``."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import Node, OperationView
from contractkit.lint.naming import PATH_PARAMETER, is_static_segment, path_segments
from contractkit.lint.registry import Rule
from contractkit.lint.schemas import is_json_media_type, object_properties, types

PAGING_PARAMETERS = frozenset({"limit", "cursor"})
# Offset and page-number paging skips or repeats items when the collection changes between pages.
OFFSET_PARAMETERS = frozenset({"offset", "page", "perpage", "pagesize", "pagenumber", "skip", "start"})

RULE = Rule(
    id="DSL-504",
    slug="cursor-pagination",
    level="MUST",
    statement=(
        "A collection (a GET on a path whose members have their own path, or that takes paging parameters) "
        "takes `limit` with a `maximum` and `cursor`, answers `{items, nextCursor}` (the shared `CursorPage`), "
        "and has no offset or page-number parameters."
    ),
    rationale=(
        "Offsets skip or repeat items when rows are added between pages and get slower with depth; a cursor "
        "does neither. A maximum `limit` bounds the work one request can ask for."
    ),
    good_example="""\
get:
  parameters:
    - $ref: '../shared/parameters.yaml#/Limit'     # integer, maximum: 100
    - $ref: '../shared/parameters.yaml#/Cursor'
  responses:
    '200':
      content:
        application/json:
          schema: {$ref: '#/components/schemas/CouponPage'}   # allOf CursorPage
""",
    bad_example="""\
get:
  parameters:
    - {name: page, in: query, schema: {type: integer, format: int32}}
  responses:
    '200':
      content:
        application/json:
          schema: {type: array, items: {$ref: '#/components/schemas/Coupon'}}
""",
)


def _normal(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _is_collection(ctx: LintContext, operation: OperationView) -> bool:
    names = {_normal(p.name) for p in operation.parameters if p.location == "query"}
    if names & (PAGING_PARAMETERS | OFFSET_PARAMETERS):
        return True
    segments = path_segments(operation.path)
    if not segments or not is_static_segment(segments[-1]):
        return False
    return any(
        path.startswith(operation.path + "/") and PATH_PARAMETER.match(path[len(operation.path) + 1 :])
        for path in ctx.paths
    )


def _body_schema(operation: OperationView) -> Node | None:
    ok = operation.response("200", "206", "2XX")
    content = ok.target.child("content") if ok else None
    if content is None or not isinstance(content.value, dict):
        return None
    for media_type in content.value:
        schema = content.child(media_type, "schema")
        if is_json_media_type(media_type) and isinstance(schema.value, dict):
            return schema
    return None


def _findings(ctx: LintContext, operation: OperationView) -> Iterator[tuple[Node, str]]:
    schema = _body_schema(operation)
    members = object_properties(ctx.refs, schema) if schema else {}
    items = ctx.follow(members["items"]) if "items" in members else None
    if items is None or "array" not in types(items.value) or "nextCursor" not in members:
        where = schema or operation.node
        yield where, f"{operation.label} is a collection but does not answer the cursor envelope {{items, nextCursor}}"
    for name in ("limit", "cursor"):
        if operation.parameter("query", name) is None:
            yield operation.node, f"{operation.label} is a collection but takes no `{name}` query parameter"
    limit = operation.parameter("query", "limit")
    bound = ctx.follow(limit.target.child("schema")).get("maximum") if limit is not None else None
    if limit is not None and not isinstance(bound, int | float):
        yield limit.target, "`limit` has no maximum"
    for parameter in operation.parameters:
        if parameter.location == "query" and _normal(parameter.name) in OFFSET_PARAMETERS:
            yield parameter.site, f"{parameter.name!r} pages by offset or page number; page with `cursor`"


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report collections without the cursor envelope, `limit` (bounded) or `cursor`, or with offset paging."""
    reported: set[tuple[tuple[str, str], str]] = set()
    for operation in ctx.operations:
        if operation.method != "get" or not _is_collection(ctx, operation):
            continue
        for node, message in _findings(ctx, operation):
            # A shared `limit` without a maximum is one finding, not one per collection using it.
            if (node.key, message) not in reported:
                reported.add((node.key, message))
                yield Finding.at(RULE, node, message)
