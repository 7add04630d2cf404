"""COUPON-401: random sequences of coupon operations against a small model of the coupon rules.

Hypothesis creates coupons (any discount, minimum, limits and window: current, not yet valid or
expired), quotes and redeems orders with and without holds, confirms, releases, cancels, pauses and
resumes. After each step the implementation must agree with the model: the quote predicts the
redemption, every discount follows the documented rule, refusals carry the right code and no limit
is exceeded. The model is written from the contract, independently of any implementation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, precondition, rule

# About 500 requests: enough to reach every limit and refusal, quick enough for every run. No
# shrinking: against a live service it would repeat hundreds of sequences; the failing one is reported.
RUN_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
USERS = ("a", "b", "c")
# Far from any boundary, so no coupon enters or leaves its window during a run.
WINDOWS = {
    "CURRENT": (timedelta(days=-1), timedelta(days=1)),
    "NOT_YET_VALID": (timedelta(days=1), timedelta(days=2)),
    "EXPIRED": (timedelta(days=-2), timedelta(days=-1)),
}
# Long enough that no hold expires while the machine runs.
HOLD_SECONDS = 600
ACTIVE_STATES = ("RESERVED", "CONFIRMED")


class ModelMismatch(AssertionError):
    """The implementation disagreed with the model."""


def expect(ok: bool, message: str) -> None:
    if not ok:
        raise ModelMismatch(message)


@dataclass
class RedemptionModel:
    id: str
    user: str
    order: str
    amount: int
    currency: str
    discount: int
    status: str


@dataclass
class CouponModel:
    """What the contract says one coupon does."""

    id: str
    currency: str
    fixed: int | None
    percent: int | None
    maximum: int | None
    minimum: int | None
    window: str
    total_limit: int | None
    per_user_limit: int
    status: str
    redemptions: dict[str, RedemptionModel] = field(default_factory=dict)

    def count(self, status: str, user: str | None = None) -> int:
        return sum(1 for r in self.redemptions.values() if r.status == status and user in (None, r.user))

    @property
    def effective_status(self) -> str:
        return "EXPIRED" if self.window == "EXPIRED" else self.status

    def usage(self) -> dict[str, int | None]:
        confirmed, reserved = self.count("CONFIRMED"), self.count("RESERVED")
        remaining = None if self.total_limit is None else max(self.total_limit - confirmed - reserved, 0)
        return {"confirmed": confirmed, "reserved": reserved, "remaining": remaining}

    def discount(self, amount: int) -> int:
        """The contract's rule: floor(amount * percent / 100), capped by maximumDiscount and the order."""
        if self.fixed is not None:
            return min(self.fixed, amount)
        discount = amount * (self.percent or 0) // 100
        if self.maximum is not None:
            discount = min(discount, self.maximum)
        return min(discount, amount)

    def refusal(self, user: str, amount: int, currency: str) -> str | None:
        """The code a redemption of this order gets now, in the contract's order of checks."""
        held = self.count("RESERVED", user) + self.count("CONFIRMED", user)
        checks = [
            (currency != self.currency, "CURRENCY_MISMATCH"),
            (self.minimum is not None and amount < self.minimum, "ORDER_BELOW_MINIMUM"),
            (self.status == "PAUSED" and self.window != "EXPIRED", "COUPON_PAUSED"),
            (self.window == "NOT_YET_VALID", "COUPON_NOT_YET_VALID"),
            (self.window == "EXPIRED", "COUPON_EXPIRED"),
            (self.usage()["remaining"] == 0, "COUPON_EXHAUSTED"),
            (held >= self.per_user_limit, "COUPON_USER_LIMIT_REACHED"),
        ]
        return next((code for failed, code in checks if failed), None)


discounts = st.one_of(
    st.fixed_dictionaries({"type": st.just("FIXED_AMOUNT"), "amount": st.integers(0, 3000)}),
    st.fixed_dictionaries(
        {"type": st.just("PERCENTAGE"), "percent": st.integers(1, 100)},
        optional={"maximumDiscount": st.integers(0, 2000)},
    ),
)
# Weighted so that most orders are eligible and reach the limits; the rest meet every refusal.
windows = st.sampled_from(["CURRENT"] * 6 + ["NOT_YET_VALID", "EXPIRED"])
minimums = st.none() | st.integers(0, 3000)
order_amounts = st.one_of(
    st.integers(2000, 10_000), st.integers(0, 2000), st.sampled_from([1, 99, 101, 999_999_999, 2**53 - 1])
)
currencies = st.sampled_from(["EUR"] * 7 + ["USD"])
# One user comes back often, so per-user limits are reached.
users = st.sampled_from([USERS[0]] * 3 + list(USERS[1:]))


def _problem(response: httpx.Response) -> str:
    expect(response.headers.get("content-type") == "application/problem+json", f"not a problem: {response.text}")
    body = response.json()
    expect(body.get("status") == response.status_code, f"problem status differs from HTTP: {response.text}")
    return str(body.get("code"))


class CouponRules(RuleBasedStateMachine):
    """Drives one implementation; `make_client` and `prefix` are set on a subclass per run."""

    make_client: Any  # () -> httpx.Client with a token for every coupon scope
    prefix: str  # the kit run's id, in every code and user id
    coupons = Bundle("coupons")
    redemptions = Bundle("redemptions")

    def __init__(self) -> None:
        super().__init__()
        self.http: httpx.Client = self.make_client()
        self.model: dict[str, CouponModel] = {}
        self.owner: dict[str, str] = {}  # redemption id -> coupon id
        self.touched: set[str] = set()

    def teardown(self) -> None:
        self.http.close()

    def _user(self, name: str) -> str:
        return f"kit-model-{self.prefix}-{name}"

    @precondition(lambda self: len(self.model) < 3)
    @rule(
        target=coupons,
        discount=discounts,
        minimum=minimums,
        window=windows,
        total_limit=st.none() | st.integers(1, 3),
        per_user_limit=st.integers(1, 2),
        status=st.sampled_from(["ACTIVE"] * 4 + ["PAUSED"]),
    )
    def create_coupon(
        self,
        discount: dict[str, Any],
        minimum: int | None,
        window: str,
        total_limit: int | None,
        per_user_limit: int,
        status: str,
    ) -> str:
        now = datetime.now(UTC).replace(microsecond=0)
        start, end = (now + offset for offset in WINDOWS[window])
        body: dict[str, Any] = {
            "code": f"M{self.prefix.upper()}{uuid.uuid4().hex[:12].upper()}",
            "name": "Model coupon",
            "currency": "EUR",
            "discount": {"type": discount["type"]},
            "startsAt": start.isoformat().replace("+00:00", "Z"),
            "expiresAt": end.isoformat().replace("+00:00", "Z"),
            "perUserLimit": per_user_limit,
            "status": status,
        }
        if discount["type"] == "FIXED_AMOUNT":
            body["discount"]["amount"] = {"amount": discount["amount"], "currency": "EUR"}
        else:
            body["discount"]["percent"] = discount["percent"]
            if "maximumDiscount" in discount:
                body["discount"]["maximumDiscount"] = {"amount": discount["maximumDiscount"], "currency": "EUR"}
        if minimum is not None:
            body["minimumOrderAmount"] = {"amount": minimum, "currency": "EUR"}
        if total_limit is not None:
            body["totalLimit"] = total_limit

        response = self.http.post("/v1/coupons", json=body)

        expect(response.status_code == 201, f"creating a coupon answered {response.status_code}: {response.text}")
        created = response.json()
        coupon = CouponModel(
            id=created["id"],
            currency="EUR",
            fixed=discount.get("amount"),
            percent=discount.get("percent"),
            maximum=discount.get("maximumDiscount"),
            minimum=minimum,
            window=window,
            total_limit=total_limit,
            per_user_limit=per_user_limit,
            status=status,
        )
        expect(created["status"] == coupon.effective_status, f"a new coupon reads {created['status']}")
        self.model[coupon.id] = coupon
        self.touched.add(coupon.id)
        return coupon.id

    @rule(
        target=redemptions, coupon_id=coupons, user=users, amount=order_amounts, currency=currencies, hold=st.booleans()
    )
    def quote_then_redeem(self, coupon_id: str, user: str, amount: int, currency: str, hold: bool) -> Any:
        return self._quote_then_redeem(coupon_id, self._user(user), amount, currency, hold)

    @rule(target=redemptions, coupon_id=coupons, user=users, extra=st.integers(0, 5000), hold=st.booleans())
    def quote_then_redeem_a_fitting_order(self, coupon_id: str, user: str, extra: int, hold: bool) -> Any:
        """An order the coupon's fixed rules accept, so only its state and usage can refuse it."""
        amount = (self.model[coupon_id].minimum or 0) + extra
        return self._quote_then_redeem(coupon_id, self._user(user), amount, "EUR", hold)

    @rule(target=redemptions, redemption_id=redemptions, hold=st.booleans())
    def redeem_again_for_the_same_user(self, redemption_id: str, hold: bool) -> Any:
        """The same user comes back with a new order of the same amount: per-user limits come into play."""
        known = self.model[self.owner[redemption_id]].redemptions[redemption_id]
        return self._quote_then_redeem(self.owner[redemption_id], known.user, known.amount, known.currency, hold)

    def _quote_then_redeem(self, coupon_id: str, user: str, amount: int, currency: str, hold: bool) -> Any:
        coupon = self.model[coupon_id]
        self.touched.add(coupon_id)
        expected = coupon.refusal(user, amount, currency)
        money = {"amount": amount, "currency": currency}

        quoted = self.http.post(f"/v1/coupons/{coupon_id}/quotes", json={"userId": user, "orderAmount": money})

        expect(quoted.status_code == 200, f"a quote answered {quoted.status_code}: {quoted.text}")
        quote = quoted.json()
        discount = 0 if expected else coupon.discount(amount)
        expect(
            (quote["eligible"], quote["reason"]) == (expected is None, expected),
            f"quote of {amount} {currency} for {user}: eligible {quote['eligible']} reason {quote['reason']}, "
            f"the model says {expected}",
        )
        expect(quote["discount"] == {"amount": discount, "currency": currency}, f"quote discount {quote['discount']}")
        expect(quote["payableAmount"] == {"amount": amount - discount, "currency": currency}, "quote payable amount")

        order = f"kit-model-{uuid.uuid4().hex}"
        body: dict[str, Any] = {"userId": user, "orderId": order, "orderAmount": money}
        if hold:
            body["holdSeconds"] = HOLD_SECONDS
        redeemed = self.http.post(
            f"/v1/coupons/{coupon_id}/redemptions", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
        )

        if expected is not None:
            outcome = (redeemed.status_code, _problem(redeemed) if redeemed.status_code >= 400 else None)
            expect(outcome == (409, expected), f"redeeming got {outcome}, the model says 409 {expected}")
            return multiple()
        expect(redeemed.status_code == 201, f"redeeming answered {redeemed.status_code}: {redeemed.text}")
        redemption = redeemed.json()
        expect(redemption["discount"] == quote["discount"], "the redemption's discount differs from its quote")
        expect(
            redemption["status"] == ("RESERVED" if hold else "CONFIRMED"), f"a new redemption is {redemption['status']}"
        )
        expect((redemption["holdExpiresAt"] is None) is not hold, "holdExpiresAt disagrees with holdSeconds")
        coupon.redemptions[redemption["id"]] = RedemptionModel(
            id=redemption["id"],
            user=user,
            order=order,
            amount=amount,
            currency=currency,
            discount=discount,
            status=redemption["status"],
        )
        self.owner[redemption["id"]] = coupon_id
        return redemption["id"]

    @rule(redemption_id=redemptions)
    def redeem_the_same_order_again(self, redemption_id: str) -> None:
        coupon = self.model[self.owner[redemption_id]]
        self.touched.add(coupon.id)
        known = coupon.redemptions[redemption_id]
        if known.status not in ACTIVE_STATES:
            return  # a released or cancelled redemption frees the order
        body = {
            "userId": known.user,
            "orderId": known.order,
            "orderAmount": {"amount": known.amount, "currency": "EUR"},
        }

        response = self.http.post(
            f"/v1/coupons/{coupon.id}/redemptions", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
        )

        outcome = (response.status_code, _problem(response) if response.status_code >= 400 else None)
        expect(outcome == (409, "ORDER_ALREADY_REDEEMED"), f"redeeming an order twice got {outcome}")

    def _move(self, redemption_id: str, action: str, source: str, target: str) -> None:
        coupon = self.model[self.owner[redemption_id]]
        self.touched.add(coupon.id)
        known = coupon.redemptions[redemption_id]

        response = self.http.post(f"/v1/redemptions/{redemption_id}/{action}")

        if known.status in (source, target):
            expect(response.status_code == 200, f"{action} of a {known.status} redemption: {response.text}")
            known.status = target
            changed = response.json()
            expect(
                (changed["status"], changed["discount"]["amount"]) == (target, known.discount),
                f"{action} left the redemption {changed['status']} with discount {changed['discount']}",
            )
        else:
            outcome = (response.status_code, _problem(response) if response.status_code >= 400 else None)
            expect(outcome == (409, "REDEMPTION_STATE_CONFLICT"), f"{action} of a {known.status} one got {outcome}")

    @rule(redemption_id=redemptions)
    def confirm(self, redemption_id: str) -> None:
        self._move(redemption_id, "confirmation", "RESERVED", "CONFIRMED")

    @rule(redemption_id=redemptions)
    def release(self, redemption_id: str) -> None:
        self._move(redemption_id, "release", "RESERVED", "RELEASED")

    @rule(redemption_id=redemptions)
    def cancel(self, redemption_id: str) -> None:
        self._move(redemption_id, "cancellation", "CONFIRMED", "CANCELLED")

    @rule(coupon_id=coupons, status=st.sampled_from(["ACTIVE", "PAUSED"]))
    def pause_or_resume(self, coupon_id: str, status: str) -> None:
        coupon = self.model[coupon_id]
        self.touched.add(coupon_id)
        current = self.http.get(f"/v1/coupons/{coupon_id}")
        expect(current.status_code == 200, f"reading a coupon: {current.text}")

        response = self.http.patch(
            f"/v1/coupons/{coupon_id}", json={"status": status}, headers={"If-Match": current.headers.get("ETag", "")}
        )

        expect(response.status_code == 200, f"setting status {status}: {response.text}")
        coupon.status = status
        expect(response.json()["status"] == coupon.effective_status, "the changed coupon's status")

    @invariant()
    def usage_matches_the_model_and_the_limits(self) -> None:
        for coupon_id in sorted(self.touched):
            coupon = self.model[coupon_id]
            response = self.http.get(f"/v1/coupons/{coupon_id}")
            expect(response.status_code == 200, f"reading a coupon: {response.text}")
            shown = response.json()
            expect(shown["status"] == coupon.effective_status, f"coupon reads {shown['status']}")
            expect(shown["usage"] == coupon.usage(), f"usage {shown['usage']}, the model says {coupon.usage()}")
            listed = self.http.get(f"/v1/coupons/{coupon_id}/redemptions", params={"limit": 100})
            expect(listed.status_code == 200, f"listing redemptions: {listed.text}")
            statuses = {item["id"]: item["status"] for item in listed.json()["items"]}
            model = {r.id: r.status for r in coupon.redemptions.values()}
            expect(statuses == model, f"listed redemptions {statuses}, the model has {model}")
            holding = [r.user for r in coupon.redemptions.values() if statuses[r.id] in ACTIVE_STATES]
            if coupon.total_limit is not None:
                expect(len(holding) <= coupon.total_limit, "more active redemptions than the total limit")
            expect(all(holding.count(u) <= coupon.per_user_limit for u in set(holding)), "a user is over the limit")
        self.touched.clear()
