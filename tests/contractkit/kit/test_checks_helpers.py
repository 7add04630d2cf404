"""The pieces every promise relies on: holding answers to the contract, body leaves, the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractkit.bundle import bundle
from contractkit.kit.calls import Call, Reply
from contractkit.kit.context import contract_breaches
from contractkit.kit.promises import Category, Promise, PromiseRegistry
from contractkit.kit.schemas import constrained, leaves, replaced, value_at
from contractkit.operations import OperationIndex

CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "coupon" / "openapi.yaml"
INDEX = OperationIndex(bundle(CONTRACT))
PROBLEM = {"content-type": "application/problem+json"}


def _reply(operation_id: str, status: int, body: bytes = b"{}", **headers: str) -> Reply:
    call = Call(operation=INDEX.operations[operation_id], path_params={"couponId": "cpn_1"})
    return Reply(call=call, status=status, headers={k.replace("_", "-"): v for k, v in headers.items()}, content=body)


def _problem(code: str, status: int, slug: str | None = None) -> bytes:
    kind = f"https://errors.example/{slug or code.lower().replace('_', '-')}/"
    return f'{{"type": "{kind}", "title": "t", "status": {status}, "code": "{code}"}}'.encode()


def test_a_documented_problem_breaks_nothing() -> None:
    reply = _reply("redeemCoupon", 409, _problem("COUPON_EXHAUSTED", 409), content_type=PROBLEM["content-type"])
    assert contract_breaches(reply) == []


@pytest.mark.parametrize(
    ("reply", "breach"),
    [
        (_reply("getCoupon", 500, b"oops"), "answered 500"),
        (_reply("getCoupon", 409, _problem("COUPON_CODE_TAKEN", 409), **PROBLEM), "does not document"),
        (
            _reply("redeemCoupon", 409, b'{"message": "gone"}', content_type="application/json"),
            "not application/problem",
        ),
        (_reply("redeemCoupon", 409, _problem("COUPON_GONE", 409), **PROBLEM), "the contract documents"),
        (_reply("redeemCoupon", 409, _problem("COUPON_EXHAUSTED", 409, "exhausted"), **PROBLEM), "catalogue page"),
        (_reply("redeemCoupon", 409, _problem("COUPON_EXHAUSTED", 422), **PROBLEM), "whose status is 422"),
        (_reply("getCoupon", 401, _problem("UNAUTHENTICATED", 401), **PROBLEM), "WWW-Authenticate"),
        (_reply("getCoupon", 503, _problem("SERVICE_UNAVAILABLE", 503), **PROBLEM), "Retry-After"),
        (Reply(call=_reply("getCoupon", 0).call, status=0, headers={}, content=b"", error="30 s"), "unknown"),
    ],
)
def test_an_answer_that_breaks_its_contract_says_how(reply: Reply, breach: str) -> None:
    found = contract_breaches(reply)
    assert any(breach in message for message in found), found


def test_body_leaves_follow_refs_and_the_discriminator() -> None:
    body = {"code": "ABC", "discount": {"type": "PERCENTAGE", "percent": 10}, "perUserLimit": 1}
    schema = {"$ref": "#/components/schemas/CouponCreate"}
    found = {pointer: schema for pointer, _, schema in leaves(INDEX, schema, body)}
    assert set(found) == {"/code", "/discount/type", "/discount/percent", "/perUserLimit"}
    assert constrained(found["/code"])
    assert found["/discount/percent"]["maximum"] == 100


def test_a_value_is_replaced_in_a_copy() -> None:
    body = {"a": [{"b": 1}]}
    changed = replaced(body, "/a/0/b", 2)
    assert (value_at(changed, "/a/0/b"), value_at(body, "/a/0/b"), value_at(body, "/x")) == (2, 1, None)


def test_the_registry_refuses_duplicate_and_malformed_ids() -> None:
    async def check(ctx: object) -> None:
        return None

    registry = PromiseRegistry()
    registry.add(Promise("KIT-901", "MUST", Category.HTTP, "A statement.", check))
    with pytest.raises(ValueError, match="twice"):
        registry.add(Promise("KIT-901", "MUST", Category.HTTP, "A statement.", check))
    with pytest.raises(ValueError, match="look like"):
        registry.add(Promise("KIT-1", "MUST", Category.HTTP, "A statement.", check))
