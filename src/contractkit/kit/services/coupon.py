"""The coupon service's part of the kit: valid requests, effects, collections, states, and its own promises.

The promises here are the coupon rules the contract states in prose: limits hold under any number of
simultaneous redemptions, usage comes back when a hold expires or a redemption is released or
cancelled, the discount follows the one documented rounding rule, and every refusal has its code.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from contractkit.kit.calls import Call, Reply
from contractkit.kit.context import Auth, KitContext, checklist, consistency_hooks
from contractkit.kit.pages import Collection, walk
from contractkit.kit.promises import Broken, Category, PromiseRegistry, promise
from contractkit.kit.services.base import ServiceKit
from contractkit.operations import Operation

COUPON = PromiseRegistry()
CURRENCY = "EUR"
# The shortest hold the contract allows (`holdSeconds` minimum): the expiry promise waits this long.
SHORTEST_HOLD_SECONDS = 30
LONG_HOLD_SECONDS = 600


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: int, currency: str = CURRENCY) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def _expect(reply: Reply, status: int, what: str) -> dict[str, Any]:
    """The body of a setup step's answer; the promise breaks if the step did not work."""
    body = reply.json()
    if reply.status != status or not isinstance(body, dict):
        raise Broken([f"could not {what}: {reply.describe()} {reply.content[:200]!r}"])
    return body


class CouponKit(ServiceKit):
    """Requests, effects and states of the coupon service."""

    name = "coupon-service"
    promises = COUPON

    # Creating things through the API, as any client would.

    def coupon_body(self, ctx: KitContext, **overrides: Any) -> dict[str, Any]:
        now = datetime.now(UTC)
        body: dict[str, Any] = {
            "code": ctx.unique("K").upper(),
            "name": f"Kit coupon {ctx.run_id}",
            "currency": CURRENCY,
            "discount": {"type": "FIXED_AMOUNT", "amount": _money(500)},
            "startsAt": _stamp(now - timedelta(days=1)),
            "expiresAt": _stamp(now + timedelta(days=1)),
            "perUserLimit": 1,
        }
        body.update(overrides)
        return body

    async def coupon(self, ctx: KitContext, **overrides: Any) -> dict[str, Any]:
        reply = await ctx.send(ctx.call("createCoupon", body=self.coupon_body(ctx, **overrides)))
        return _expect(reply, 201, "create a coupon")

    async def shared_coupon(self, ctx: KitContext) -> dict[str, Any]:
        """An unlimited coupon many users redeem once each; made once per run."""
        if "shared-coupon" not in ctx.cache:
            ctx.cache["shared-coupon"] = await self.coupon(ctx, perUserLimit=1000)
        coupon: dict[str, Any] = ctx.cache["shared-coupon"]
        return coupon

    def order(
        self, ctx: KitContext, *, user: str | None = None, amount: int = 5000, hold: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "userId": user or ctx.unique("kit-user-"),
            "orderId": ctx.unique("kit-order-"),
            "orderAmount": _money(amount),
        }
        if hold is not None:
            body["holdSeconds"] = hold
        return body

    def redeem_call(self, ctx: KitContext, coupon_id: str, order: dict[str, Any], key: str | None = None) -> Call:
        return ctx.call(
            "redeemCoupon",
            path_params={"couponId": coupon_id},
            headers={"Idempotency-Key": key or ctx.unique("kit-key-")},
            body=order,
        )

    async def redeem(self, ctx: KitContext, coupon_id: str, order: dict[str, Any]) -> dict[str, Any]:
        return _expect(await ctx.send(self.redeem_call(ctx, coupon_id, order)), 201, "redeem a coupon")

    async def move(self, ctx: KitContext, operation_id: str, redemption_id: str) -> dict[str, Any]:
        reply = await ctx.send(ctx.call(operation_id, path_params={"redemptionId": redemption_id}))
        return _expect(reply, 200, f"{operation_id} {redemption_id}")

    async def redemption(
        self, ctx: KitContext, state: str, coupon_id: str | None = None, user: str | None = None
    ) -> dict[str, Any]:
        """A fresh redemption in `state` (RESERVED, CONFIRMED, RELEASED or CANCELLED)."""
        coupon_id = coupon_id or (await self.shared_coupon(ctx))["id"]
        hold = LONG_HOLD_SECONDS if state in ("RESERVED", "RELEASED") else None
        made = await self.redeem(ctx, coupon_id, self.order(ctx, user=user, hold=hold))
        if state == "RELEASED":
            made = await self.move(ctx, "releaseRedemption", made["id"])
        elif state == "CANCELLED":
            made = await self.move(ctx, "cancelRedemption", made["id"])
        return made

    async def usage(self, ctx: KitContext, coupon_id: str) -> dict[str, Any]:
        coupon = _expect(
            await ctx.send(ctx.call("getCoupon", path_params={"couponId": coupon_id})), 200, "read a coupon"
        )
        usage: dict[str, Any] = coupon["usage"]
        return usage

    async def redemptions_of(self, ctx: KitContext, coupon_id: str) -> list[dict[str, Any]]:
        listing = Collection(call=ctx.call("listCouponRedemptions", path_params={"couponId": coupon_id}), items=[])
        return (await walk(ctx, listing, limit=100)).items

    # The ServiceKit interface.

    async def valid_call(self, ctx: KitContext, operation_id: str) -> Call:
        if operation_id == "createCoupon":
            return ctx.call(operation_id, body=self.coupon_body(ctx))
        if operation_id in ("getLiveness", "getReadiness", "getContract"):
            return ctx.call(operation_id)
        shared = await self.shared_coupon(ctx)
        if operation_id == "listCoupons":
            return ctx.call(operation_id, query={"status": "ACTIVE", "code": shared["code"]})
        if operation_id in ("getCoupon",):
            return ctx.call(operation_id, path_params={"couponId": shared["id"]})
        if operation_id == "updateCoupon":
            coupon = await self.coupon(ctx)
            read = await ctx.send(ctx.call("getCoupon", path_params={"couponId": coupon["id"]}))
            return ctx.call(
                operation_id,
                path_params={"couponId": coupon["id"]},
                headers={"If-Match": read.header("etag") or '"1"'},
                body={"name": f"Renamed {ctx.unique()}"},
            )
        if operation_id == "quoteCoupon":
            order = self.order(ctx)
            return ctx.call(
                operation_id,
                path_params={"couponId": shared["id"]},
                body={"userId": order["userId"], "orderAmount": order["orderAmount"]},
            )
        if operation_id == "redeemCoupon":
            return self.redeem_call(ctx, shared["id"], self.order(ctx))
        if operation_id == "listCouponRedemptions":
            return ctx.call(operation_id, path_params={"couponId": shared["id"]}, query={"status": "CONFIRMED"})
        if operation_id == "listRedemptions":
            return ctx.call(operation_id, query={"userId": ctx.subject(), "status": "CONFIRMED"})
        if operation_id == "getRedemption":
            if "shared-redemption" not in ctx.cache:
                ctx.cache["shared-redemption"] = await self.redemption(ctx, "CONFIRMED")
            return ctx.call(operation_id, path_params={"redemptionId": ctx.cache["shared-redemption"]["id"]})
        source = {"confirmRedemption": "RESERVED", "releaseRedemption": "RESERVED", "cancelRedemption": "CONFIRMED"}
        if operation_id in source:
            made = await self.redemption(ctx, source[operation_id])
            return ctx.call(operation_id, path_params={"redemptionId": made["id"]})
        raise Broken([f"the coupon kit has no request for {operation_id}"])

    async def effects(self, ctx: KitContext, call: Call) -> int | None:
        body = call.body if isinstance(call.body, dict) else {}
        operation_id = call.operation.operation_id
        if operation_id == "createCoupon" and isinstance(body.get("code"), str):
            reply = await ctx.send(ctx.call("listCoupons", query={"code": body["code"]}))
            return len(_expect(reply, 200, "list coupons by code")["items"])
        if operation_id == "redeemCoupon" and isinstance(body.get("userId"), str):
            listing = Collection(call=ctx.call("listRedemptions", query={"userId": body["userId"]}), items=[])
            items = (await walk(ctx, listing, limit=100)).items
            return sum(1 for item in items if item.get("orderId") == body.get("orderId"))
        if operation_id == "updateCoupon":
            reply = await ctx.send(ctx.call("getCoupon", path_params=call.path_params))
            if reply.status != 200:
                return None
            return int(reply.header("etag") != call.headers.get("If-Match"))
        return None

    async def collection(self, ctx: KitContext, operation_id: str) -> Collection | None:
        if operation_id == "listCoupons":
            now = datetime.now(UTC)
            items = [await self.coupon(ctx) for _ in range(2)]
            items += [await self.coupon(ctx, status="PAUSED") for _ in range(2)]
            items += [
                await self.coupon(
                    ctx, startsAt=_stamp(now - timedelta(days=3)), expiresAt=_stamp(now - timedelta(days=1))
                )
                for _ in range(2)
            ]
            return Collection(call=ctx.call(operation_id), items=items, add=lambda: self.coupon(ctx), exclusive=False)
        if operation_id in ("listCouponRedemptions", "listRedemptions"):
            coupon = await self.coupon(ctx, perUserLimit=100)
            first, second = ctx.unique("kit-user-"), ctx.unique("kit-user-")
            items = []
            for user in (first, second):
                for state in ("CONFIRMED", "RESERVED", "RELEASED", "CANCELLED", "CONFIRMED"):
                    items.append(await self.redemption(ctx, state, coupon["id"], user))

            async def add() -> dict[str, Any]:
                return await self.redeem(ctx, coupon["id"], self.order(ctx, user=first))

            if operation_id == "listCouponRedemptions":
                scope = ctx.call(operation_id, path_params={"couponId": coupon["id"]})
            else:
                scope = ctx.call(operation_id, query={"userId": first})
            return Collection(call=scope, items=items, add=add)
        return None

    async def in_state(self, ctx: KitContext, transition: Operation, state: str) -> dict[str, str] | None:
        if state not in ("RESERVED", "CONFIRMED", "RELEASED", "CANCELLED"):
            return None
        return {"redemptionId": (await self.redemption(ctx, state))["id"]}


KIT = CouponKit()


async def _burst(ctx: KitContext, coupon_id: str, orders: list[dict[str, Any]]) -> list[Reply]:
    return await ctx.send_all([(KIT.redeem_call(ctx, coupon_id, order), Auth()) for order in orders])


async def _limit_holds(ctx: KitContext, *, per_user: bool, hold: int | None) -> None:
    """A burst against one limit: exactly the limit succeeds and every other request names the limit."""
    found = checklist()
    requests = ctx.options.burst if not per_user else max(ctx.options.burst // 2, 2)
    limit = max(requests // 4, 1)
    if per_user:
        coupon = await KIT.coupon(ctx, perUserLimit=limit)
        user = ctx.unique("kit-user-")
        orders = [KIT.order(ctx, user=user, hold=hold) for _ in range(requests)]
        refusal = "COUPON_USER_LIMIT_REACHED"
    else:
        coupon = await KIT.coupon(ctx, totalLimit=limit)
        orders = [KIT.order(ctx, hold=hold) for _ in range(requests)]
        refusal = "COUPON_EXHAUSTED"
    replies = await _burst(ctx, coupon["id"], orders)
    made = sum(1 for reply in replies if reply.status == 201)
    unknown = sum(1 for reply in replies if reply.indeterminate)
    what = f"{requests} simultaneous redemptions against a {'per-user ' if per_user else ''}limit of {limit}"
    found.check(made <= limit <= made + unknown, f"{what}: {made} succeeded")
    for reply in replies:
        if reply.status not in (0, 201):
            found.check(
                (reply.status, reply.code) == (409, refusal),
                f"{reply.describe()}: {what}: refusals must be 409 {refusal}",
            )
    usage = await KIT.usage(ctx, coupon["id"])
    held = usage["reserved"] if hold else usage["confirmed"]
    found.check(held == made, f"{what}: the coupon counts {held} used, {made} requests succeeded")
    listed = [
        item for item in await KIT.redemptions_of(ctx, coupon["id"]) if item.get("status") in ("RESERVED", "CONFIRMED")
    ]
    found.check(len(listed) == made, f"{what}: {len(listed)} redemptions are listed, {made} requests succeeded")


@promise(
    COUPON,
    "COUPON-101",
    "MUST",
    Category.CONCURRENCY,
    "Under simultaneous redemptions, exactly the total limit succeeds; the rest get 409 COUPON_EXHAUSTED.",
)
async def total_limit(ctx: KitContext) -> None:
    await _limit_holds(ctx, per_user=False, hold=None)


@promise(
    COUPON,
    "COUPON-102",
    "MUST",
    Category.CONCURRENCY,
    "The total limit holds the same way when the redemptions are reserved with holds.",
)
async def total_limit_with_holds(ctx: KitContext) -> None:
    await _limit_holds(ctx, per_user=False, hold=LONG_HOLD_SECONDS)


@promise(
    COUPON,
    "COUPON-103",
    "MUST",
    Category.CONCURRENCY,
    "Under simultaneous redemptions by one user, exactly the per-user limit succeeds; the rest get 409 "
    "COUPON_USER_LIMIT_REACHED.",
)
async def per_user_limit(ctx: KitContext) -> None:
    await _limit_holds(ctx, per_user=True, hold=None)


@promise(
    COUPON,
    "COUPON-104",
    "MUST",
    Category.CONCURRENCY,
    "The per-user limit holds the same way when the redemptions are reserved with holds.",
)
async def per_user_limit_with_holds(ctx: KitContext) -> None:
    await _limit_holds(ctx, per_user=True, hold=LONG_HOLD_SECONDS)


@promise(
    COUPON,
    "COUPON-105",
    "MUST",
    Category.CONCURRENCY,
    "After simultaneous redemptions, confirmations, releases and cancellations, a coupon's usage counters "
    "equal what its redemption list holds.",
)
async def counters_equal_lists(ctx: KitContext) -> None:
    found = checklist()
    coupon = await KIT.coupon(ctx, perUserLimit=5)
    reserved = [await KIT.redemption(ctx, "RESERVED", coupon["id"]) for _ in range(6)]
    confirmed = [await KIT.redemption(ctx, "CONFIRMED", coupon["id"]) for _ in range(4)]
    moves = [("confirmRedemption", item["id"]) for item in reserved[:3]]
    moves += [("releaseRedemption", item["id"]) for item in reserved[2:]]
    moves += [("cancelRedemption", item["id"]) for item in confirmed[:2]]
    calls = [(ctx.call(op, path_params={"redemptionId": rid}), Auth()) for op, rid in moves]
    calls += [
        (KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx, hold=hold)), Auth())
        for hold in (None, LONG_HOLD_SECONDS) * 4
    ]
    await ctx.send_all(calls)
    usage = await KIT.usage(ctx, coupon["id"])
    items = await KIT.redemptions_of(ctx, coupon["id"])
    listed = {state: sum(1 for item in items if item.get("status") == state) for state in ("CONFIRMED", "RESERVED")}
    found.check(
        (usage["confirmed"], usage["reserved"]) == (listed["CONFIRMED"], listed["RESERVED"]),
        f"coupon {coupon['id']}: usage says {usage['confirmed']} confirmed and {usage['reserved']} reserved, the list "
        f"holds {listed['CONFIRMED']} and {listed['RESERVED']}",
    )


@promise(
    COUPON,
    "COUPON-106",
    "MUST",
    Category.STATES,
    "A hold that expires gives its usage back: the redemption reads RELEASED, the coupon can be redeemed again, "
    "and the expired hold can no longer be confirmed.",
    background=True,
)
async def expired_hold(ctx: KitContext) -> None:
    found = checklist()
    coupon = await KIT.coupon(ctx, totalLimit=1)
    holder = ctx.unique("kit-user-")
    hold = await KIT.redeem(ctx, coupon["id"], KIT.order(ctx, user=holder, hold=SHORTEST_HOLD_SECONDS))
    blocked = await ctx.send(KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx)))
    found.check(
        (blocked.status, blocked.code) == (409, "COUPON_EXHAUSTED"),
        f"{blocked.describe()}: a coupon whose only use is held must be exhausted",
    )
    expires = datetime.fromisoformat(str(hold.get("holdExpiresAt")).replace("Z", "+00:00"))
    await asyncio.sleep(max((expires - datetime.now(UTC)).total_seconds(), 0) + 1.5)
    read = _expect(await ctx.send(ctx.call("getRedemption", path_params={"redemptionId": hold["id"]})), 200, "read")
    found.check(read.get("status") == "RELEASED", f"an expired hold reads {read.get('status')}, not RELEASED")
    usage = await KIT.usage(ctx, coupon["id"])
    found.check(
        (usage["reserved"], usage["remaining"]) == (0, 1),
        f"after the hold expired the coupon shows {usage}; the use must be free again",
    )
    quote = await ctx.send(
        ctx.call(
            "quoteCoupon", path_params={"couponId": coupon["id"]}, body={"userId": holder, "orderAmount": _money(5000)}
        )
    )
    found.check(bool((quote.json() or {}).get("eligible")), f"{quote.describe()}: the holder is not eligible again")
    again = await ctx.send(KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx)))
    found.check(again.status == 201, f"{again.describe()}: the freed use could not be redeemed")
    late = await ctx.send(ctx.call("confirmRedemption", path_params={"redemptionId": hold["id"]}))
    found.check(
        (late.status, late.code) == (409, "REDEMPTION_STATE_CONFLICT"),
        f"{late.describe()}: confirming an expired hold must be 409 REDEMPTION_STATE_CONFLICT",
    )


@promise(
    COUPON,
    "COUPON-107",
    "MUST",
    Category.STATES,
    "Releasing a hold or cancelling a redemption gives its usage back, to the coupon's total and to the user.",
)
async def usage_comes_back(ctx: KitContext) -> None:
    found = checklist()
    for state, move in (("RESERVED", "releaseRedemption"), ("CONFIRMED", "cancelRedemption")):
        coupon = await KIT.coupon(ctx, totalLimit=1, perUserLimit=1)
        user = ctx.unique("kit-user-")
        made = await KIT.redemption(ctx, state, coupon["id"], user)
        full = await ctx.send(KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx)))
        found.check(full.status == 409, f"{full.describe()}: the coupon's only use is taken")
        await KIT.move(ctx, move, made["id"])
        usage = await KIT.usage(ctx, coupon["id"])
        found.check(
            (usage["confirmed"], usage["reserved"], usage["remaining"]) == (0, 0, 1),
            f"after {move} the coupon shows {usage}; the use must be free again",
        )
        again = await ctx.send(KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx, user=user)))
        found.check(again.status == 201, f"{again.describe()}: after {move} the same user could not redeem again")


def _expected_discount(coupon: dict[str, Any], amount: int) -> int:
    """The contract's rounding rule: floor(amount * percent / 100), capped by maximumDiscount and the order."""
    discount = coupon["discount"]
    if discount["type"] == "PERCENTAGE":
        value = amount * discount["percent"] // 100
        if discount.get("maximumDiscount"):
            value = min(value, discount["maximumDiscount"]["amount"])
    else:
        value = discount["amount"]["amount"]
    return min(int(value), amount)


async def _money_cases(ctx: KitContext) -> list[tuple[dict[str, Any], int]]:
    """Coupons of every discount shape and order amounts that sit on rounding and cap boundaries."""
    if "money-cases" not in ctx.cache:
        rng = random.Random(ctx.options.seed)
        shapes: list[dict[str, Any]] = [
            {"type": "PERCENTAGE", "percent": rng.choice([3, 7, 13, 33, 99])},
            {
                "type": "PERCENTAGE",
                "percent": rng.choice([15, 25, 45]),
                "maximumDiscount": _money(rng.randint(100, 900)),
            },
            {"type": "PERCENTAGE", "percent": 100},
            {"type": "FIXED_AMOUNT", "amount": _money(rng.randint(500, 5000))},
        ]
        cases = []
        for shape in shapes:
            coupon = await KIT.coupon(ctx, discount=shape, perUserLimit=1000)
            amounts = {1, 99, 101, 199, 1999, 10_001, rng.randint(2, 999_999), rng.randint(2, 99_999)}
            cases += [(coupon, amount) for amount in sorted(amounts)]
        ctx.cache["money-cases"] = cases
    cached: list[tuple[dict[str, Any], int]] = ctx.cache["money-cases"]
    return cached


async def _quote(ctx: KitContext, coupon_id: str, amount: int) -> Reply:
    body = {"userId": ctx.unique("kit-user-"), "orderAmount": _money(amount)}
    return await ctx.send(ctx.call("quoteCoupon", path_params={"couponId": coupon_id}, body=body))


@promise(
    COUPON,
    "COUPON-201",
    "MUST",
    Category.MONEY,
    "A quote's discount is floor(orderAmount * percent / 100), capped by maximumDiscount, or the fixed amount; "
    "the payable amount is the order amount minus the discount.",
)
async def rounding(ctx: KitContext) -> None:
    found = checklist()
    for coupon, amount in await _money_cases(ctx):
        reply = await _quote(ctx, coupon["id"], amount)
        body = reply.json() if reply.status == 200 else None
        if not found.check(isinstance(body, dict), f"{reply.describe()}: a quote was refused"):
            continue
        assert isinstance(body, dict)
        expected = _expected_discount(coupon, amount)
        found.check(
            body["discount"]["amount"] == expected and body["payableAmount"]["amount"] == amount - expected,
            f"{reply.describe()}: {coupon['discount']} on {amount} quotes {body['discount']['amount']} (payable "
            f"{body['payableAmount']['amount']}); the rule gives {expected}",
        )


@promise(COUPON, "COUPON-202", "MUST", Category.MONEY, "A redemption's discount equals the quote for the same order.")
async def quote_equals_redemption(ctx: KitContext) -> None:
    found = checklist()
    for coupon, amount in (await _money_cases(ctx))[::3]:
        quoted = await _quote(ctx, coupon["id"], amount)
        made = await ctx.send(KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx, amount=amount)))
        quote_body, made_body = quoted.json() or {}, made.json() or {}
        if found.check(quoted.status == 200 and made.status == 201, f"{made.describe()}: could not quote and redeem"):
            found.check(
                made_body.get("discount") == quote_body.get("discount"),
                f"{made.describe()}: redeemed {made_body.get('discount')} after a quote of "
                f"{quote_body.get('discount')}",
            )


@promise(COUPON, "COUPON-203", "MUST", Category.MONEY, "A discount never exceeds the order amount.")
async def discount_within_order(ctx: KitContext) -> None:
    found = checklist()
    coupon = await KIT.coupon(ctx, discount={"type": "FIXED_AMOUNT", "amount": _money(5000)}, perUserLimit=1000)
    for amount in (1, 1200, 4999):
        reply = await ctx.send(KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx, amount=amount)))
        body = reply.json() or {}
        found.check(
            reply.status == 201 and body.get("discount", {}).get("amount") == amount,
            f"{reply.describe()}: 5000 off an order of {amount} must discount exactly {amount}, "
            f"got {body.get('discount')}",
        )


async def _refusal(ctx: KitContext, coupon: dict[str, Any], order: dict[str, Any], code: str) -> None:
    found = checklist()
    reply = await ctx.send(KIT.redeem_call(ctx, coupon["id"], order))
    found.check((reply.status, reply.code) == (409, code), f"{reply.describe()}: must be refused 409 {code}")
    quote = await ctx.send(
        ctx.call(
            "quoteCoupon",
            path_params={"couponId": coupon["id"]},
            body={"userId": order["userId"], "orderAmount": order["orderAmount"]},
        )
    )
    body = quote.json() or {}
    if code != "ORDER_ALREADY_REDEEMED":
        found.check(
            (body.get("eligible"), body.get("reason")) == (False, code),
            f"{quote.describe()}: the quote must say eligible false, reason {code}; got {body.get('reason')}",
        )


@promise(
    COUPON,
    "COUPON-301",
    "MUST",
    Category.STATES,
    "Every refusal has its documented status and code: paused, expired, not yet valid, below the minimum, "
    "another currency, an order that already holds the coupon, a taken code, a change that takes a limit away.",
)
async def refusal_codes(ctx: KitContext) -> None:
    found = checklist()
    now = datetime.now(UTC)
    await _refusal(ctx, await KIT.coupon(ctx, status="PAUSED"), KIT.order(ctx), "COUPON_PAUSED")
    expired = {"startsAt": _stamp(now - timedelta(days=3)), "expiresAt": _stamp(now - timedelta(days=1))}
    await _refusal(ctx, await KIT.coupon(ctx, **expired), KIT.order(ctx), "COUPON_EXPIRED")
    future = {"startsAt": _stamp(now + timedelta(days=1)), "expiresAt": _stamp(now + timedelta(days=3))}
    await _refusal(ctx, await KIT.coupon(ctx, **future), KIT.order(ctx), "COUPON_NOT_YET_VALID")
    minimum = await KIT.coupon(ctx, minimumOrderAmount=_money(2000))
    await _refusal(ctx, minimum, KIT.order(ctx, amount=1999), "ORDER_BELOW_MINIMUM")
    foreign = KIT.order(ctx)
    foreign["orderAmount"] = _money(5000, "USD")
    await _refusal(ctx, await KIT.coupon(ctx), foreign, "CURRENCY_MISMATCH")
    shared = await KIT.coupon(ctx, perUserLimit=10)
    order = KIT.order(ctx)
    await KIT.redeem(ctx, shared["id"], order)
    await _refusal(ctx, shared, {**order}, "ORDER_ALREADY_REDEEMED")
    taken = await ctx.send(ctx.call("createCoupon", body=KIT.coupon_body(ctx, code=shared["code"])))
    found.check(
        (taken.status, taken.code) == (409, "COUPON_CODE_TAKEN"), f"{taken.describe()}: must be 409 COUPON_CODE_TAKEN"
    )
    limited = await KIT.coupon(ctx, totalLimit=10)
    read = await ctx.send(ctx.call("getCoupon", path_params={"couponId": limited["id"]}))
    lowered = await ctx.send(
        ctx.call(
            "updateCoupon",
            path_params={"couponId": limited["id"]},
            headers={"If-Match": read.header("etag") or '"1"'},
            body={"totalLimit": 5},
        )
    )
    found.check(
        (lowered.status, lowered.code) == (409, "COUPON_CHANGE_NOT_ALLOWED"),
        f"{lowered.describe()}: lowering a limit must be 409 COUPON_CHANGE_NOT_ALLOWED",
    )
    window = KIT.coupon_body(ctx, startsAt=_stamp(now + timedelta(days=2)), expiresAt=_stamp(now + timedelta(days=1)))
    backwards = await ctx.send(ctx.call("createCoupon", body=window))
    found.check(
        (backwards.status, backwards.code) == (422, "VALIDATION_FAILED"),
        f"{backwards.describe()}: a window that ends before it starts must be 422 VALIDATION_FAILED",
    )


@promise(
    COUPON,
    "COUPON-302",
    "MUST",
    Category.IDEMPOTENCY,
    "A refusal by the coupon's rules is the outcome of its Idempotency-Key: a retry with the key replays it, "
    "even after the coupon became available.",
)
async def refusal_is_replayed(ctx: KitContext) -> None:
    found = checklist()
    coupon = await KIT.coupon(ctx, totalLimit=1)
    held = await KIT.redemption(ctx, "RESERVED", coupon["id"])
    refused_call = KIT.redeem_call(ctx, coupon["id"], KIT.order(ctx))
    refused = await ctx.send(refused_call)
    found.check((refused.status, refused.code) == (409, "COUPON_EXHAUSTED"), f"{refused.describe()}: must be exhausted")
    await KIT.move(ctx, "releaseRedemption", held["id"])
    retry = await ctx.send(refused_call)
    found.check(
        (retry.status, retry.content, retry.header("idempotent-replayed")) == (409, refused.content, "true"),
        f"{retry.describe()}: the retry of a refused redemption must replay the refusal (Idempotent-Replayed: true)",
    )


@promise(
    COUPON,
    "COUPON-108",
    "MUST",
    Category.CONCURRENCY,
    "Simultaneous cancellations of one redemption all answer it CANCELLED and give its usage back once.",
)
async def simultaneous_cancellations(ctx: KitContext) -> None:
    found = checklist()
    coupon = await KIT.coupon(ctx, totalLimit=3)
    made = await KIT.redemption(ctx, "CONFIRMED", coupon["id"])
    cancel = ctx.call("cancelRedemption", path_params={"redemptionId": made["id"]})
    replies = await ctx.send_all([(cancel, Auth())] * 10)
    found.check(
        {reply.status for reply in replies} == {200} and len({reply.content for reply in replies}) == 1,
        f"{cancel.describe()}: ten simultaneous cancellations must all answer the same 200, got "
        f"{sorted({reply.status for reply in replies})}",
    )
    usage = await KIT.usage(ctx, coupon["id"])
    found.check(
        (usage["confirmed"], usage["reserved"], usage["remaining"]) == (0, 0, 3),
        f"after ten cancellations of one redemption the coupon shows {usage}; the use must come back once",
    )


@promise(
    COUPON,
    "COUPON-109",
    "MUST",
    Category.CONCURRENCY,
    "A confirmation racing a release of the same hold has exactly one winner; the loser gets 409 "
    "REDEMPTION_STATE_CONFLICT and the usage counts the winner's outcome.",
)
async def confirm_races_release(ctx: KitContext) -> None:
    found = checklist()
    coupon = await KIT.coupon(ctx, totalLimit=10)
    holds = [(await KIT.redemption(ctx, "RESERVED", coupon["id"]))["id"] for _ in range(8)]
    moves = [(op, hold) for hold in holds for op in ("confirmRedemption", "releaseRedemption") for _ in range(3)]
    random.Random(ctx.options.seed).shuffle(moves)
    replies = await ctx.send_all([(ctx.call(op, path_params={"redemptionId": h}), Auth()) for op, h in moves])
    outcomes: dict[tuple[str, str], set[tuple[int, str | None]]] = {}
    for (op, hold), reply in zip(moves, replies, strict=True):
        outcomes.setdefault((op, hold), set()).add((reply.status, reply.code))
    confirmed = 0
    for hold in holds:
        read = _expect(await ctx.send(ctx.call("getRedemption", path_params={"redemptionId": hold})), 200, "read")
        status = read.get("status")
        winner, loser = ("confirmRedemption", "releaseRedemption")
        if status == "RELEASED":
            winner, loser = loser, winner
        confirmed += status == "CONFIRMED"
        found.check(
            outcomes[(winner, hold)] == {(200, None)}
            and outcomes[(loser, hold)] == {(409, "REDEMPTION_STATE_CONFLICT")},
            f"hold {hold} ended {status}: {winner} answered {outcomes[(winner, hold)]}, {loser} "
            f"{outcomes[(loser, hold)]}",
        )
    usage = await KIT.usage(ctx, coupon["id"])
    found.check(
        (usage["confirmed"], usage["reserved"], usage["remaining"]) == (confirmed, 0, 10 - confirmed),
        f"after the races the coupon shows {usage}; {confirmed} holds were confirmed",
    )


@promise(
    COUPON,
    "COUPON-401",
    "MUST",
    Category.STATES,
    "Any sequence of creating, quoting, redeeming, confirming, releasing, cancelling, pausing and resuming "
    "agrees with a model of the coupon rules after every step.",
    background=True,
)
async def follows_the_model(ctx: KitContext) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    from contractkit.kit.services.coupon_model import RUN_SETTINGS, CouponRules, ModelMismatch

    token = await ctx.token(ctx.facts.scopes)

    def client() -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.Client(
            base_url=ctx.options.base_url,
            headers=headers,
            timeout=ctx.options.timeout_seconds,
            # Reads carry the newest Consistency-Token, as the kit's own calls do.
            event_hooks=consistency_hooks(ctx.facts),
        )

    machine = type("KitCouponRules", (CouponRules,), {"make_client": staticmethod(client), "prefix": ctx.run_id})
    try:
        await asyncio.to_thread(run_state_machine_as_test, machine, settings=RUN_SETTINGS)
    except (ModelMismatch, httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
        steps = [str(note) for note in getattr(exc, "__notes__", ())]
        raise Broken([f"{type(exc).__name__}: {exc}", *steps]) from None
    # One case per generated sequence; each checked the model after every step.
    checklist().cases += RUN_SETTINGS.max_examples
