"""The coupon client's models against the bundled coupon contract: a change to a body fails here first.

Every object schema of the contract has a row: its model and whether the client reads it, sends it, or
both. The shared shapes (`Money`, `Problem`, pages) are the core's models, checked against the copies
the bundle carries, so every service's test checks them against its own contract.
"""

from __future__ import annotations

from typing import Any

import pytest

from contractkit.bundle import bundle
from contractkit.loading import LoadPolicy
from dataservices.clients.coupon.models import (
    Coupon,
    CouponChanges,
    FixedAmountDiscount,
    NewCoupon,
    PercentageDiscount,
    Quote,
    QuoteRequest,
    Redemption,
    RedemptionRequest,
    Usage,
)
from dataservices.clients.models import Money, Page, Problem, ProblemFieldError
from dataservices.common.contract import contract_path
from tests.dataservices.clients.contract_drift import Row, drift

CONTRACT = contract_path("coupon")
SCHEMAS: dict[str, Any] = bundle(CONTRACT, LoadPolicy(root=CONTRACT.parents[1]))["components"]["schemas"]
# Schemas no client call reads or sends as a body: the health answer, and the envelope every page extends.
NOT_BODIES = {"Health", "CursorPage"}

ROWS = [
    Row.both(Money, "Money"),
    Row.read(Problem, "Problem"),
    Row.read(ProblemFieldError, "ProblemError"),
    Row.both(FixedAmountDiscount, "FixedAmountDiscount"),
    Row.both(PercentageDiscount, "PercentageDiscount"),
    Row.sent(NewCoupon, "CouponCreate"),
    Row.sent(CouponChanges, "CouponUpdate"),
    Row.read(Usage, "Usage"),
    Row.read(Coupon, "Coupon"),
    Row.read(Page[Coupon], "CouponPage"),
    Row.sent(QuoteRequest, "QuoteRequest"),
    Row.read(Quote, "Quote"),
    Row.sent(RedemptionRequest, "RedemptionRequest"),
    Row.read(Redemption, "Redemption"),
    Row.read(Page[Redemption], "RedemptionPage"),
]


def _object_schemas() -> set[str]:
    return {name for name, schema in SCHEMAS.items() if "properties" in schema or "allOf" in schema}


def test_every_body_of_the_contract_has_a_model() -> None:
    assert {row.schema for row in ROWS} == _object_schemas() - NOT_BODIES


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_the_model_matches_its_schema(row: Row) -> None:
    assert drift(row, SCHEMAS, ROWS) == []


def _changed(name: str, change: dict[str, Any]) -> dict[str, Any]:
    """The bundled schemas with one schema changed as a contract change would."""
    return {**SCHEMAS, name: {**SCHEMAS[name], **change}}


def _with_property(name: str, prop: str, value: dict[str, Any], required: bool = False) -> dict[str, Any]:
    schema = SCHEMAS[name]
    change: dict[str, Any] = {"properties": {**schema["properties"], prop: value}}
    if required:
        change["required"] = [*schema.get("required", ()), prop]
    return _changed(name, change)


@pytest.mark.parametrize(
    ("row", "schemas", "message"),
    [
        (
            Row.read(Coupon, "Coupon"),
            _with_property("Coupon", "archivedAt", {"type": "string", "format": "date-time"}),
            "Coupon~Coupon: the contract's property archivedAt has no field",
        ),
        (
            Row.read(Coupon, "Coupon"),
            _changed("CouponStatus", {"enum": ["ACTIVE", "PAUSED", "EXPIRED", "ARCHIVED"]}),
            "Coupon~Coupon.status: answers may hold ['ARCHIVED'], which the model refuses",
        ),
        (
            Row.read(Redemption, "Redemption"),
            _with_property(
                "Redemption", "discount", {"oneOf": [{"$ref": "#/components/schemas/Money"}, {"type": "null"}]}
            ),
            "Redemption~Redemption.discount: the contract allows null, the model does not",
        ),
        (
            Row.read(Usage, "Usage"),
            _changed("Usage", {"required": ["confirmed", "reserved"]}),
            "Usage~Usage.remaining: required by the model, optional in answers",
        ),
        (
            Row.sent(RedemptionRequest, "RedemptionRequest"),
            _changed("RedemptionRequest", {"required": ["userId", "orderId", "orderAmount", "holdSeconds"]}),
            "RedemptionRequest~RedemptionRequest.holdSeconds: required in the contract, not in the model",
        ),
        (
            Row.sent(CouponChanges, "CouponUpdate"),
            _with_property("CouponUpdate", "status", {"type": "string", "enum": ["PAUSED"]}),
            "CouponChanges~CouponUpdate.status: the model may send ['ACTIVE'], which the contract refuses",
        ),
        (
            Row.sent(QuoteRequest, "QuoteRequest"),
            _with_property("QuoteRequest", "orderAmount", {"type": "integer"}),
            "QuoteRequest~QuoteRequest.orderAmount: holds ['Money'], the contract []",
        ),
    ],
    ids=[
        "added-field",
        "added-enum-value",
        "newly-nullable",
        "no-longer-required",
        "newly-required",
        "narrowed-enum",
        "changed-type",
    ],
)
def test_a_contract_change_that_breaks_calls_is_found(row: Row, schemas: dict[str, Any], message: str) -> None:
    assert message in drift(row, schemas, ROWS)
