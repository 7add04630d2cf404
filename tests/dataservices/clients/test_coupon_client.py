"""The coupon client against a real coupon service: results, errors, paging, replays, what it sends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from pydantic import ValidationError
from pydantic.alias_generators import to_snake

import dataservices.clients.coupon as coupon_client
from dataservices.clients import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InsufficientScope,
    Money,
    NotFound,
    PreconditionFailed,
    RetryPolicy,
    ServiceError,
    Unauthenticated,
    ValidationFailed,
)
from dataservices.clients.coupon import (
    CouponClient,
    CouponCodeTaken,
    CouponExhausted,
    CouponNotFound,
    CouponStatus,
    CouponUserLimitReached,
    FixedAmountDiscount,
    NewCoupon,
    PercentageDiscount,
    Redeemed,
    Redemption,
    RedemptionNotFound,
    RedemptionRefused,
    RedemptionStateConflict,
    RedemptionStatus,
)
from dataservices.common.contract import load_contract
from dataservices.common.idempotency import fingerprint
from dataservices.coupon.tables import idempotency_keys
from tests.dataservices.clients.wire import RecordingTransport
from tests.fixtures.coupon_service import RunningCouponService

pytestmark = pytest.mark.anyio

EUR = "EUR"
UNKNOWN_COUPON = "cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K"


def eur(amount: int) -> Money:
    return Money(amount=amount, currency=EUR)


def new_coupon(**overrides: object) -> NewCoupon:
    """A coupon valid now, 10% off at most 15.00 EUR, with a unique code."""
    now = datetime.now(UTC)
    fields: dict[str, object] = {
        "code": f"T{uuid.uuid4().hex[:12].upper()}",
        "name": "Client test coupon",
        "currency": EUR,
        "discount": PercentageDiscount(percent=10, maximum_discount=eur(1500)),
        "starts_at": now - timedelta(days=1),
        "expires_at": now + timedelta(days=30),
    }
    fields.update(overrides)
    return NewCoupon.model_validate(fields)


def test_public_api_is_what_the_package_exports() -> None:
    assert sorted(coupon_client.__all__) == coupon_client.__all__
    assert all(hasattr(coupon_client, name) for name in coupon_client.__all__)
    assert {"CouponClient", "CouponExhausted", "NewCoupon", "Redemption"} <= set(coupon_client.__all__)


# Operations whose client method reads better under a shorter name.
RENAMED = {"quoteCoupon": "quote", "redeemCoupon": "redeem"}
# Probes and the contract document: for operators and tools, not for a service's callers.
NOT_CALLED = {"getLiveness", "getReadiness", "getContract"}


def test_the_client_has_one_method_per_operation_and_a_walker_per_list() -> None:
    contract, _ = load_contract("coupon")
    operations = set(contract.operations) - NOT_CALLED
    methods = {name for name in vars(CouponClient) if not name.startswith("_")} - {"user_agent"}

    expected = {RENAMED.get(operation, to_snake(operation)) for operation in operations}
    lists = {operation for operation in operations if operation.startswith("list")}
    walkers = {"iter_" + to_snake(operation).removeprefix("list_") for operation in lists}
    assert methods == expected | walkers


async def test_create_get_and_update_a_coupon(client: CouponClient) -> None:
    draft = new_coupon(minimum_order_amount=eur(2000), total_limit=100, per_user_limit=2)

    created = await client.create_coupon(draft)
    fetched = await client.get_coupon(created.coupon.id)
    paused = await client.update_coupon(created.coupon.id, fetched.etag, status=CouponStatus.PAUSED, total_limit=150)

    coupon = created.coupon
    assert coupon.id.startswith("cpn_")
    assert (coupon.code, coupon.status, coupon.per_user_limit, coupon.total_limit) == (draft.code, "ACTIVE", 2, 100)
    assert coupon.discount == PercentageDiscount(percent=10, maximum_discount=eur(1500))
    assert coupon.minimum_order_amount == eur(2000)
    assert isinstance(coupon.minimum_order_amount.amount, int)
    assert (coupon.starts_at, coupon.expires_at) == (draft.starts_at, draft.expires_at)
    assert (coupon.usage.confirmed, coupon.usage.reserved, coupon.usage.remaining) == (0, 0, 100)
    assert fetched == created
    assert (paused.coupon.status, paused.coupon.total_limit) == (CouponStatus.PAUSED, 150)
    assert paused.etag != fetched.etag


async def test_an_update_sends_only_the_changed_fields(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire
    created = await client.create_coupon(new_coupon())
    later = created.coupon.expires_at + timedelta(days=1)

    updated = await client.update_coupon(created.coupon.id, created.etag, expires_at=later)

    patch = transport.requests[-1]
    assert patch.method == "PATCH"
    assert patch.headers["If-Match"] == created.etag
    assert patch.content == f'{{"expiresAt":"{later.astimezone(UTC).isoformat().replace("+00:00", "Z")}"}}'.encode()
    assert updated.coupon.expires_at == later


async def test_fixed_amount_coupon_quotes_in_minor_units(client: CouponClient) -> None:
    coupon = (await client.create_coupon(new_coupon(discount=FixedAmountDiscount(amount=eur(500))))).coupon

    quote = await client.quote(coupon.id, user_id="usr_1", order_amount=eur(300))

    assert quote.eligible
    assert quote.reason is None
    # The discount never exceeds the order: 5.00 off a 3.00 order is 3.00.
    assert (quote.discount, quote.payable_amount) == (eur(300), eur(0))


async def test_a_stale_etag_raises_precondition_failed_with_the_problem(client: CouponClient) -> None:
    created = await client.create_coupon(new_coupon())
    await client.update_coupon(created.coupon.id, created.etag, name="First change")

    with pytest.raises(PreconditionFailed) as raised:
        await client.update_coupon(created.coupon.id, created.etag, name="Second change")

    error = raised.value
    assert (error.status, error.code, error.title) == (412, "PRECONDITION_FAILED", "Precondition failed")
    assert error.detail is not None
    assert '"2"' in error.detail
    assert error.problem.type.endswith("/precondition-failed/")
    assert error.problem.instance == f"/v1/coupons/{created.coupon.id}"
    assert not error.retryable


async def test_a_validation_problem_lists_each_invalid_value(client: CouponClient) -> None:
    now = datetime.now(UTC)

    with pytest.raises(ValidationFailed) as raised:
        await client.create_coupon(new_coupon(starts_at=now, expires_at=now - timedelta(days=1)))

    assert raised.value.status == 422
    assert [(e.location, e.pointer) for e in raised.value.errors] == [("BODY", "/expiresAt")]


async def test_business_refusals_map_to_their_classes(client: CouponClient) -> None:
    draft = new_coupon()
    await client.create_coupon(draft)

    with pytest.raises(CouponCodeTaken):
        await client.create_coupon(draft)
    with pytest.raises(CouponNotFound) as missing_coupon:
        await client.get_coupon(UNKNOWN_COUPON)
    with pytest.raises(RedemptionNotFound):
        await client.get_redemption("rdm_01JD8S0B4N6P8R0T2V4X6Z8B0D")

    assert isinstance(missing_coupon.value, NotFound)
    assert missing_coupon.value.status == 404


async def test_auth_problems(service: RunningCouponService) -> None:
    async with CouponClient(service.url, service.token("coupon:read")) as reader:
        with pytest.raises(InsufficientScope) as forbidden:
            await reader.create_coupon(new_coupon())
        assert forbidden.value.status == 403
    async with CouponClient(service.url, "not-a-jwt") as stranger:
        with pytest.raises(Unauthenticated):
            await stranger.list_coupons()


async def test_a_token_provider_is_asked_for_every_request(service: RunningCouponService) -> None:
    asked: list[int] = []

    async def token() -> str:
        asked.append(1)
        return service.token()

    async with CouponClient(service.url, token) as client:
        await client.list_coupons(limit=1)
        await client.list_coupons(limit=1)

    assert len(asked) == 2


async def test_a_retried_redemption_is_replayed_and_says_so(client: CouponClient) -> None:
    coupon = (await client.create_coupon(new_coupon())).coupon

    async def redeem() -> Redeemed:
        return await client.redeem(
            coupon.id, user_id="usr_42", order_id="ord_1001", order_amount=eur(4990), idempotency_key="key-1"
        )

    first, retry = await redeem(), await redeem()

    assert (first.replayed, retry.replayed) == (False, True)
    assert retry.redemption == first.redemption
    assert first.redemption.discount == eur(499)
    assert first.redemption.status == RedemptionStatus.CONFIRMED


async def test_a_refusal_is_the_outcome_of_its_key_and_is_replayed_too(client: CouponClient) -> None:
    coupon = (await client.create_coupon(new_coupon(total_limit=1))).coupon
    await client.redeem(coupon.id, user_id="usr_1", order_id="ord_1", order_amount=eur(4990), idempotency_key="a")

    for replayed in (False, True):
        with pytest.raises(CouponExhausted) as raised:
            await client.redeem(
                coupon.id, user_id="usr_2", order_id="ord_2", order_amount=eur(4990), idempotency_key="b"
            )
        assert isinstance(raised.value, RedemptionRefused)
        assert (raised.value.status, raised.value.replayed, raised.value.retryable) == (409, replayed, False)


async def test_per_user_limit_and_key_reuse(client: CouponClient) -> None:
    coupon = (await client.create_coupon(new_coupon(per_user_limit=1))).coupon
    await client.redeem(coupon.id, user_id="usr_1", order_id="ord_1", order_amount=eur(4990), idempotency_key="k1")

    with pytest.raises(CouponUserLimitReached):
        await client.redeem(coupon.id, user_id="usr_1", order_id="ord_2", order_amount=eur(4990), idempotency_key="k2")
    with pytest.raises(IdempotencyKeyReused) as reused:
        await client.redeem(coupon.id, user_id="usr_9", order_id="ord_9", order_amount=eur(4990), idempotency_key="k1")
    assert reused.value.status == 422


def claim_key_in_flight(service: RunningCouponService, coupon_id: str, key: str, body: dict[str, object]) -> None:
    """Another request with this key is running: its claim is in the table, its work not yet committed."""
    path = f"/v1/coupons/{coupon_id}/redemptions"
    now = datetime.now(UTC)
    engine = sqlalchemy.create_engine(f"sqlite:///{service.database_path}")
    with engine.begin() as connection:
        connection.execute(
            idempotency_keys.insert().values(
                client_id="test-client",
                idempotency_key=key,
                fingerprint=fingerprint("POST", path, body),
                state="IN_FLIGHT",
                locked_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
    engine.dispose()


async def test_a_key_still_in_flight_is_a_retryable_conflict(service: RunningCouponService) -> None:
    async with CouponClient(service.url, service.token(), retries=RetryPolicy(attempts=1)) as client:
        coupon = (await client.create_coupon(new_coupon())).coupon
        body = {"userId": "usr_1", "orderId": "ord_1", "orderAmount": {"amount": 4990, "currency": EUR}}
        claim_key_in_flight(service, coupon.id, "in-flight", body)

        with pytest.raises(IdempotencyKeyInUse) as raised:
            await client.redeem(
                coupon.id, user_id="usr_1", order_id="ord_1", order_amount=eur(4990), idempotency_key="in-flight"
            )

    assert (raised.value.status, raised.value.retryable) == (409, True)


async def test_reserve_confirm_cancel_and_a_refused_transition(client: CouponClient) -> None:
    coupon = (await client.create_coupon(new_coupon(per_user_limit=5))).coupon

    async def reserve(order_id: str) -> Redemption:
        redeemed = await client.redeem(
            coupon.id,
            user_id="usr_1",
            order_id=order_id,
            order_amount=eur(4990),
            idempotency_key=order_id,
            hold_seconds=60,
        )
        return redeemed.redemption

    held, other = await reserve("ord_1"), await reserve("ord_2")

    assert held.status == RedemptionStatus.RESERVED
    assert held.hold_expires_at is not None
    assert (await client.confirm_redemption(held.id)).status == RedemptionStatus.CONFIRMED
    assert (await client.confirm_redemption(held.id)).status == RedemptionStatus.CONFIRMED  # a retry changes nothing
    assert (await client.cancel_redemption(held.id)).status == RedemptionStatus.CANCELLED
    assert (await client.release_redemption(other.id)).status == RedemptionStatus.RELEASED
    with pytest.raises(RedemptionStateConflict):
        await client.release_redemption(held.id)
    assert (await client.get_redemption(other.id)).status == RedemptionStatus.RELEASED
    assert (await client.get_coupon(coupon.id)).coupon.usage.confirmed == 0


async def test_pages_and_the_walkers_reach_every_redemption(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire
    coupon = (await client.create_coupon(new_coupon(per_user_limit=10))).coupon
    user = f"usr_{uuid.uuid4().hex[:8]}"
    made = [
        await client.redeem(
            coupon.id, user_id=user, order_id=f"ord_{n}", order_amount=eur(1000), idempotency_key=f"p{n}"
        )
        for n in range(5)
    ]
    newest_first = [redeemed.redemption.id for redeemed in reversed(made)]

    first = await client.list_coupon_redemptions(coupon.id, limit=2)
    second = await client.list_coupon_redemptions(coupon.id, limit=2, cursor=first.next_cursor)
    transport.requests.clear()
    walked = [redemption.id async for redemption in client.iter_coupon_redemptions(coupon.id, page_size=2)]
    pages_walked = len(transport.requests)
    by_user = [r.id async for r in client.iter_redemptions(user_id=user, page_size=3)]
    confirmed = await client.list_redemptions(user_id=user, status=RedemptionStatus.CONFIRMED)

    assert [r.id for r in (*first.items, *second.items)] == newest_first[:4]
    assert walked == newest_first
    assert pages_walked == 3  # pages of 2, 2 and 1
    assert by_user == newest_first
    assert [r.id for r in confirmed.items] == newest_first


async def test_the_coupon_walker_reaches_every_page(coupon_service: RunningCouponService) -> None:
    async with CouponClient(coupon_service.url, coupon_service.token()) as client:
        created = [(await client.create_coupon(new_coupon())).coupon.id for _ in range(5)]

        walked = [coupon.id async for coupon in client.iter_coupons(page_size=2)]
        paused = [coupon async for coupon in client.iter_coupons(status=CouponStatus.PAUSED)]
        by_code = await client.list_coupons(code=(await client.get_coupon(created[0])).coupon.code)

    assert walked == created[::-1]
    assert paused == []
    assert [coupon.id for coupon in by_code.items] == [created[0]]
    assert by_code.next_cursor is None


async def test_ids_cannot_change_the_path_they_are_put_in(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire

    with pytest.raises(ValidationFailed) as raised:
        await client.get_coupon("../redemptions")

    # The service read the whole value as the coupon id (and refused it), not as a path to another resource.
    assert transport.requests[0].url.raw_path == b"/v1/coupons/..%2Fredemptions"
    assert ("PATH", "/couponId") in [(e.location, e.pointer) for e in raised.value.errors]


async def test_an_unknown_route_is_a_plain_not_found(service: RunningCouponService) -> None:
    async with CouponClient(f"{service.url}/no-such-prefix", service.token()) as client:
        with pytest.raises(NotFound) as raised:
            await client.list_coupons()

    assert type(raised.value) is NotFound
    assert raised.value.code == "RESOURCE_NOT_FOUND"
    assert isinstance(raised.value, ServiceError)


def test_money_is_integer_minor_units() -> None:
    with pytest.raises(ValidationError):
        Money(amount=49.9, currency=EUR)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money(amount=-1, currency=EUR)


async def test_an_update_needs_a_change(client: CouponClient) -> None:
    with pytest.raises(ValueError, match="at least one change"):
        await client.update_coupon(UNKNOWN_COUPON, '"1"')
