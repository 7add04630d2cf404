"""How the kit talks to an implementation: it reads its own writes by sending back the newest consistency token."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from contractkit.bundle import bundle
from contractkit.kit.context import KitContext, consistency_hooks
from contractkit.kit.credentials import FixedToken
from contractkit.kit.options import KitOptions
from contractkit.kit.services.coupon import CouponKit
from contractkit.operations import OperationIndex

CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "coupon" / "openapi.yaml"
INDEX = OperationIndex(bundle(CONTRACT))


def test_calls_that_take_a_consistency_token_carry_the_newest_one_an_answer_gave() -> None:
    sent: list[tuple[str, str | None]] = []
    writes = 0

    def implementation(request: httpx.Request) -> httpx.Response:
        nonlocal writes
        sent.append((f"{request.method} {request.url.path}", request.headers.get("Consistency-Token")))
        if request.method == "POST":
            writes += 1
            return httpx.Response(201, headers={"Consistency-Token": f"pg.0-{writes}"}, json={})
        return httpx.Response(200, json={})

    async def run() -> None:
        transport = httpx.MockTransport(implementation)
        async with httpx.AsyncClient(base_url="http://implementation.test", transport=transport) as http:
            ctx = KitContext(INDEX, KitOptions("http://implementation.test"), FixedToken("t"), CouponKit(), http)
            coupon = {"couponId": "cpn_1"}
            await ctx.send(ctx.call("getCoupon", path_params=coupon))  # nothing written yet: no token
            await ctx.send(ctx.call("createCoupon", body={}))
            await ctx.send(ctx.call("createCoupon", body={}))
            await ctx.send(ctx.call("getCoupon", path_params=coupon))
            await ctx.send(ctx.call("getCoupon", path_params=coupon, headers={"consistency-token": "chosen"}))
            await ctx.send(ctx.call("getReadiness"))  # declares no such header: none is sent

    asyncio.run(run())

    assert sent == [
        ("GET /v1/coupons/cpn_1", None),
        ("POST /v1/coupons", None),
        ("POST /v1/coupons", None),  # createCoupon declares no Consistency-Token header
        ("GET /v1/coupons/cpn_1", "pg.0-2"),
        ("GET /v1/coupons/cpn_1", "chosen"),
        ("GET /health/ready", None),
    ]


def test_a_plain_client_with_the_hooks_reads_its_own_writes_the_same_way() -> None:
    sent: list[tuple[str, str | None]] = []

    def implementation(request: httpx.Request) -> httpx.Response:
        sent.append((f"{request.method} {request.url.path}", request.headers.get("Consistency-Token")))
        if request.url.path == "/v1/coupons":
            return httpx.Response(201, headers={"Consistency-Token": "pg.0-7"}, json={})
        return httpx.Response(200, json={})

    hooks = consistency_hooks(INDEX)
    with httpx.Client(base_url="http://implementation.test", transport=httpx.MockTransport(implementation),
                      event_hooks=hooks) as client:  # fmt: skip
        client.get("/v1/coupons/cpn_1")
        client.post("/v1/coupons", json={})
        client.post("/v1/coupons/cpn_1/quotes", json={})  # quoteCoupon declares the header
        client.post("/v1/coupons/cpn_1/redemptions", json={})  # redeemCoupon does not
        client.get("/v1/coupons/cpn_1/redemptions")
        client.get("/v1/coupons/cpn_1", headers={"Consistency-Token": "chosen"})

    assert sent == [
        ("GET /v1/coupons/cpn_1", None),
        ("POST /v1/coupons", None),
        ("POST /v1/coupons/cpn_1/quotes", "pg.0-7"),
        ("POST /v1/coupons/cpn_1/redemptions", None),
        ("GET /v1/coupons/cpn_1/redemptions", "pg.0-7"),
        ("GET /v1/coupons/cpn_1", "chosen"),
    ]
