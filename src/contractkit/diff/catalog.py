"""The check table of ``contractkit diff``: every check ID with its level, summary and one example.

Direction matters: a client written against BASE must keep working against REVISION. Requests are what the
client sends, so the revision must accept at least what the base accepted (narrowing breaks). Responses are
what the client reads, so the revision must send at most what the base sent (widening breaks). Schema
constraints therefore come as a matrix (facet x request/response x narrowed/widened), built from ``FACETS``;
everything else is listed one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

from contractkit.diff.registry import Check, Level, Registry

B, W, INFO = Level.BREAKING, Level.WARNING, Level.INFO


@dataclass(frozen=True, slots=True)
class Facet:
    """A group of schema keywords compared as one: how much the schema accepts along that axis."""

    name: str
    keywords: str
    narrowing: str
    widening: str
    # Widening a response breaks strict clients; for open-ended facets (a new enum value) it cannot be decided.
    response_widened: Level
    # Facets where a change can be neither narrowing nor widening as far as we can tell.
    changing: str | None = None
    # Why such a change is only a warning, when it is one.
    undecided: str = "whether the new pattern accepts the same values cannot be decided; check it by hand"


# fmt: off
FACETS = (
    Facet("type", "`type` (3.1 arrays with `null`), `nullable` (3.0), boolean schemas",
          "`type: [string, 'null']` → `type: string`", "`type: integer` → `type: [integer, 'null']`", B),
    Facet("enum", "`enum`, `const`",
          "`enum: [ACTIVE, PAUSED]` → `enum: [ACTIVE]`", "`enum: [ACTIVE]` → `enum: [ACTIVE, PAUSED]`", W),
    Facet("range", "`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`",
          "`maximum: 100` → `maximum: 50`", "`minimum: 1` → `minimum: 0`", B),
    Facet("length", "`minLength`, `maxLength`",
          "`maxLength: 64` → `maxLength: 32`", "`maxLength: 32` → `maxLength: 64`", B),
    Facet("count", "`minItems`, `maxItems`, `uniqueItems`, `minProperties`, `maxProperties`",
          "`maxItems: 100` → `maxItems: 10`", "`uniqueItems: true` removed", B),
    Facet("format", "`format` (`int32` → `int64` and `float` → `double` widen)",
          "`format: date-time` added", "`format: int32` → `format: int64`", B),
    Facet("pattern", "`pattern`",
          "`pattern: '^[A-Z]+$'` added", "`pattern` removed", B,
          changing="`pattern: '^[A-Z]+$'` → `pattern: '^[A-Z0-9]+$'`"),
    Facet("additional-properties", "`additionalProperties: false`, `unevaluatedProperties: false`",
          "`additionalProperties: false` added", "`additionalProperties: false` removed", W),
    Facet("composition", "`oneOf`/`anyOf` branches (`allOf` parts are merged first)",
          "a `oneOf` branch removed", "a `oneOf` branch added", W),
    Facet("discriminator", "`discriminator` mapping entries",
          "mapping entry `voucher` removed", "mapping entry `voucher` added", W,
          changing="`discriminator.propertyName: kind` → `type`, or a mapping entry pointing elsewhere"),
    Facet("conditions", "`not`, `if`/`then`/`else`, `contains` (`minContains`, `maxContains`), `propertyNames`, "
          "`patternProperties`, `dependentRequired`, `dependentSchemas`, `unevaluatedItems`, `contentEncoding`, "
          "`contentMediaType`, `contentSchema`",
          "`not: {const: ADMIN}` added", "`dependentRequired: {cardNumber: [expiry]}` removed", B,
          changing="`propertyNames: {pattern: '^[a-z]+$'}` → `{pattern: '^[a-zA-Z]+$'}`",
          undecided="whether the new condition admits the same values cannot be decided from the contract; "
          "check it by hand"),
)
# fmt: on

_REJECTED = "a request that was valid before is rejected now"
_ACCEPTED = "the service accepts more than before; no client breaks"
_UNEXPECTED = "the service may now send values a client written against the base does not expect"
_SUBSET = "the service sends a subset of what it sent before; no client breaks"


def _facet_checks(facet: Facet) -> list[Check]:
    level = facet.response_widened
    checks = [
        Check(
            f"request-{facet.name}-narrowed",
            B,
            "request schema",
            f"A request value is constrained more by {facet.keywords}.",
            facet.narrowing,
            _REJECTED,
        ),
        Check(
            f"request-{facet.name}-widened",
            INFO,
            "request schema",
            f"A request value is constrained less by {facet.keywords}.",
            facet.widening,
            _ACCEPTED,
        ),
        Check(
            f"response-{facet.name}-widened",
            level,
            "response schema",
            f"A response value is constrained less by {facet.keywords}.",
            facet.widening,
            _UNEXPECTED
            if level is B
            else "a client that handles unknown values keeps working; one that does not breaks",
        ),
        Check(
            f"response-{facet.name}-narrowed",
            INFO,
            "response schema",
            f"A response value is constrained more by {facet.keywords}.",
            facet.narrowing,
            _SUBSET,
        ),
    ]
    if facet.changing is not None:
        level = B if facet.name == "discriminator" else W
        impact = "requests and responses valid before may not be valid now" if level is B else facet.undecided
        checks += [
            Check(
                f"request-{facet.name}-changed",
                level,
                "request schema",
                f"A request value's {facet.keywords} changed in a way that is neither narrowing nor widening.",
                facet.changing,
                impact,
            ),
            Check(
                f"response-{facet.name}-changed",
                level,
                "response schema",
                f"A response value's {facet.keywords} changed in a way that is neither narrowing nor widening.",
                facet.changing,
                impact,
            ),
        ]
    return checks


# fmt: off
_LISTED = (
    # Operations and their lifecycle.
    Check("operation-added", INFO, "operations",
          "A new operation.",
          "`GET /v1/coupons/{couponId}/usage` added",
          "no client breaks"),
    Check("operation-deprecated", INFO, "operations",
          "An operation is marked `deprecated` (its `x-sunset` shown).",
          "`deprecated: true` and `x-sunset: 2027-01-31` added to `GET /v1/vouchers`",
          "clients should move off it before its sunset date"),
    Check("operation-sunset-brought-forward", W, "operations",
          "A deprecated operation's `x-sunset` date moves earlier.",
          "`x-sunset: 2027-01-31` → `2026-09-30` on `GET /v1/vouchers`",
          "clients planned their move off the operation by the date they were given"),
    Check("operation-removed", INFO, "operations",
          "A deprecated operation is removed after its `x-sunset` date (or it had none): the lifecycle allows it.",
          "`GET /v1/vouchers` (deprecated, `x-sunset: 2026-01-31`) removed in February 2026",
          "clients had been told to move off it"),
    Check("operation-removed-without-deprecation", B, "operations",
          "An operation is removed that was never marked `deprecated`.",
          "`DELETE /v1/coupons/{couponId}` removed",
          "clients calling it get 404 or 405"),
    Check("operation-removed-before-sunset", B, "operations",
          "A deprecated operation is removed before its `x-sunset` date (or its `x-sunset` is not a date).",
          "`GET /v1/vouchers` with `x-sunset: 2027-01-31` removed in 2026",
          "clients were promised it until its sunset date"),
    Check("breaking-change-without-major-version", B, "operations",
          "A contract has breaking changes but `info.version` did not get a major bump with a new `/vN` path space.",
          "`info.version: 1.2.0` → `1.3.0` with a required request property added",
          "breaking changes belong in a new major version under a new `/vN` path space"),
    # Parameters.
    Check("request-required-parameter-added", B, "parameters",
          "A new required parameter.",
          "query parameter `channel` added with `required: true`",
          "clients do not send it"),
    Check("request-optional-parameter-added", INFO, "parameters",
          "A new optional parameter.",
          "query parameter `channel` added",
          "no client breaks"),
    Check("request-parameter-removed", W, "parameters",
          "A parameter is removed; clients still send it and the service now ignores it.",
          "query parameter `status` removed from `GET /v1/coupons`",
          "requests still succeed, but what the parameter did is gone"),
    Check("request-parameter-became-required", B, "parameters",
          "An optional parameter becomes required.",
          "`If-Match` header: `required: false` → `required: true`",
          "clients that omit it are rejected"),
    Check("request-parameter-became-optional", INFO, "parameters",
          "A required parameter becomes optional.",
          "`If-Match` header: `required: true` → `required: false`",
          "no client breaks"),
    Check("request-parameter-serialization-changed", B, "parameters",
          "A parameter's `style`, `explode` or `content` media type changes.",
          "query parameter `tags`: `explode: true` → `explode: false`",
          "clients serialize it the old way and the service reads it differently"),
    # Request bodies.
    Check("request-required-body-added", B, "request body",
          "A required request body on an operation without one.",
          "`requestBody: {required: true, ...}` added to `POST /v1/redemptions/{id}/release`",
          "clients send no body"),
    Check("request-optional-body-added", INFO, "request body",
          "An optional request body on an operation without one.",
          "`requestBody` added without `required`",
          "no client breaks"),
    Check("request-body-removed", W, "request body",
          "The request body is removed; clients still send one.",
          "`requestBody` removed from `POST /v1/coupons/{couponId}/quotes`",
          "the service ignores (or rejects) what clients send"),
    Check("request-body-became-required", B, "request body",
          "An optional request body becomes required.",
          "`requestBody.required: false` → `true`",
          "clients that send no body are rejected"),
    Check("request-body-became-optional", INFO, "request body",
          "A required request body becomes optional.",
          "`requestBody.required: true` → `false`",
          "no client breaks"),
    Check("request-media-type-removed", B, "request body",
          "A request media type is removed (and no wildcard in the revision covers it).",
          "`application/x-www-form-urlencoded` removed from a request body",
          "clients sending it get 415"),
    Check("request-media-type-added", INFO, "request body",
          "A request media type is added.",
          "`application/merge-patch+json` added to `PATCH /v1/coupons/{couponId}`",
          "no client breaks"),
    # Request schema: properties and defaults (the facets are generated from FACETS).
    Check("request-required-property-added", B, "request schema",
          "A new required request property.",
          "`CouponCreate.channel` added and listed in `required`",
          "clients do not send it"),
    Check("request-optional-property-added", INFO, "request schema",
          "A new optional request property.",
          "`CouponCreate.channel` added",
          "no client breaks"),
    Check("request-property-became-required", B, "request schema",
          "An optional request property becomes required (or stops being `readOnly` while required).",
          "`perUserLimit` added to `CouponCreate.required`",
          "clients that omit it are rejected"),
    Check("request-property-became-optional", INFO, "request schema",
          "A required request property becomes optional.",
          "`perUserLimit` removed from `CouponCreate.required`",
          "no client breaks"),
    Check("request-property-removed", W, "request schema",
          "A request property is removed (or becomes `readOnly`); the schema still allows unknown properties.",
          "`CouponCreate.note` removed",
          "clients still send it and the service ignores it"),
    Check("request-property-no-longer-accepted", B, "request schema",
          "A request property is removed from a schema that forbids other properties.",
          "`CouponCreate.note` removed where `additionalProperties: false`",
          "clients that still send it are rejected"),
    Check("request-default-changed", W, "request schema",
          "A request value's `default` is added, changed or removed.",
          "query parameter `limit`: `default: 20` → `default: 50`",
          "clients that omit the value get a different behaviour"),
    # Responses.
    Check("response-success-status-removed", B, "responses",
          "A 1XX, 2XX or 3XX response is removed.",
          "`201` → `200` on `POST /v1/coupons` (201 removed)",
          "clients expecting it treat the answer as an error"),
    Check("response-success-status-added", W, "responses",
          "A new 1XX, 2XX or 3XX response.",
          "`202` added to `POST /v1/payments`",
          "clients may not know how to handle it"),
    Check("response-error-status-removed", INFO, "responses",
          "A 4XX, 5XX or `default` response is removed.",
          "`404` removed from `GET /v1/coupons`",
          "no client breaks: its handler is never used"),
    Check("response-error-status-added", INFO, "responses",
          "A new 4XX, 5XX or `default` response.",
          "`409` added to `PATCH /v1/coupons/{couponId}`",
          "clients handle it as any other error"),
    Check("response-media-type-removed", B, "responses",
          "A response media type is removed.",
          "`application/json` → `application/hal+json` in a `200` response",
          "clients read the old media type"),
    Check("response-media-type-added", INFO, "responses",
          "A response media type is added.",
          "`text/csv` added to a `200` response",
          "no client breaks"),
    Check("response-required-header-removed", B, "responses",
          "A response header marked `required` is removed.",
          "`ETag` (required) removed from `200`",
          "clients read it"),
    Check("response-optional-header-removed", W, "responses",
          "An optional response header is removed.",
          "`Consistency-Token` removed from `201`",
          "clients that read it lose it"),
    Check("response-header-became-optional", B, "responses",
          "A required response header becomes optional.",
          "`ETag`: `required: true` → `required: false`",
          "clients rely on it being there"),
    Check("response-header-added", INFO, "responses",
          "A new response header.",
          "`RateLimit` added to `200`",
          "no client breaks"),
    # Response schema: properties (the facets are generated from FACETS).
    Check("response-required-property-removed", B, "response schema",
          "A required response property is removed (or becomes `writeOnly`).",
          "`Coupon.usage` removed",
          "clients read it"),
    Check("response-optional-property-removed", W, "response schema",
          "An optional response property is removed.",
          "`Coupon.maximumDiscount` removed",
          "clients already cope with its absence, unless they relied on it"),
    Check("response-property-became-optional", B, "response schema",
          "A required response property becomes optional.",
          "`usage` removed from `Coupon.required`",
          "clients rely on it being there"),
    Check("response-property-became-required", INFO, "response schema",
          "An optional response property becomes required.",
          "`totalLimit` added to `Coupon.required`",
          "no client breaks"),
    Check("response-property-added", INFO, "response schema",
          "A new response property.",
          "`Coupon.channel` added",
          "tolerant clients ignore it"),
    # Security.
    Check("security-requirement-added", B, "security",
          "An operation needs another security scheme (or any authentication where it needed none).",
          "`security: []` → `security: [{OAuth2: [coupon:read]}]`",
          "clients without those credentials are refused"),
    Check("security-scope-added", B, "security",
          "An operation's security requirement needs more scopes.",
          "`OAuth2: [coupon:read]` → `OAuth2: [coupon:read, coupon:write]`",
          "clients whose tokens lack the scope get 403"),
    Check("security-alternative-removed", B, "security",
          "One of an operation's alternative security requirements is removed.",
          "`[{OAuth2: []}, {ApiKey: []}]` → `[{OAuth2: []}]`",
          "clients that used the removed alternative are refused"),
    Check("security-scheme-changed", B, "security",
          "A security scheme an operation uses changes type, location, name, HTTP scheme or OAuth2 flow URLs.",
          "`tokenUrl` of the `clientCredentials` flow moved to another host",
          "clients authenticate the old way"),
    Check("security-requirement-removed", INFO, "security",
          "An operation needs fewer security schemes (or none).",
          "`security: [{OAuth2: []}]` → `security: []`",
          "no client breaks"),
    Check("security-scope-removed", INFO, "security",
          "An operation needs fewer scopes.",
          "`OAuth2: [coupon:read, coupon:write]` → `OAuth2: [coupon:read]`",
          "no client breaks"),
    Check("security-alternative-added", INFO, "security",
          "A new alternative security requirement.",
          "`[{OAuth2: []}]` → `[{OAuth2: []}, {ApiKey: []}]`",
          "no client breaks"),
    # Servers.
    Check("server-removed", B, "servers",
          "A server URL is removed (at document, path or operation level).",
          "`https://coupon.example.com` → `https://coupons.example.com`",
          "clients configured with it fail"),
    Check("server-added", INFO, "servers",
          "A server URL is added.",
          "`https://coupon.eu.example.com` added",
          "no client breaks"),
    # The document.
    Check("unresolved-ref", W, "document",
          "A `$ref` on one side leads nowhere, so what it names was not compared.",
          "`$ref: '../shared/money.yaml#/Money'` where the file has no `Money`",
          "run `contractkit validate`; the diff cannot see through it"),
)
# fmt: on

CHECKS = Registry([*_LISTED[:6], *(check for facet in FACETS for check in _facet_checks(facet)), *_LISTED[6:]])
"""Every check, in documentation order."""

AREAS = (
    "operations",
    "parameters",
    "request body",
    "request schema",
    "responses",
    "response schema",
    "security",
    "servers",
    "document",
)


def markdown_table() -> str:
    """The check table of ``docs/tools/diff.md``, generated from :data:`CHECKS` (a test keeps the page in step)."""
    lines = ["| ID | level | area | finds | example |", "|---|---|---|---|---|"]
    for area in AREAS:
        for check in CHECKS:
            if check.area == area:
                cells = [f"`{check.id}`", check.level.value, check.area, check.summary, check.example]
                lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)
