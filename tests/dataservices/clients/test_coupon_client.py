"""The coupon client against a real coupon service: results, errors, paging, replays, headers it sends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy
from pydantic import ValidationError

import dataservices.clients.coupon as coupon_client
from dataservices.clients.coupon import (
    AsyncCouponClient,
    CouponClient,
    CouponCodeTaken,
    CouponExhausted,
    CouponNotFound,
    CouponServiceError,
    CouponStatus,
    CouponUserLimitReached,
    FixedAmountDiscount,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InsufficientScope,
    Money,
    NewCoupon,
    NotFound,
    PercentageDiscount,
    PreconditionFailed,
    Redeemed,
    Redemption,
    RedemptionNotFound,
    RedemptionRefused,
    RedemptionStateConflict,
    RedemptionStatus,
    ServiceUnavailable,
    Unauthenticated,
    ValidationFailed,
)
from dataservices.common.idempotency import fingerprint
from dataservices.coupon.tables import idempotency_keys
from tests.fixtures.coupon_service import RunningCouponService

EUR = "EUR"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


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


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that keeps every request it sends, to check what the client put on the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().handle_request(request)


@pytest.fixture
def service(coupon_service_module: RunningCouponService) -> RunningCouponService:
    return coupon_service_module


@pytest.fixture
def client(service: RunningCouponService) -> Iterator[CouponClient]:
    with CouponClient(service.url, service.token()) as client:
        yield client


@pytest.fixture
def wire(service: RunningCouponService) -> Iterator[tuple[CouponClient, RecordingTransport]]:
    transport = RecordingTransport()
    with CouponClient(service.url, service.token(), transport=transport) as client:
        yield client, transport


def test_public_api_is_what_the_package_exports() -> None:
    assert sorted(coupon_client.__all__) == coupon_client.__all__
    assert all(hasattr(coupon_client, name) for name in coupon_client.__all__)
    assert {"CouponClient", "AsyncCouponClient", "CouponServiceError", "Money", "Page"} <= set(coupon_client.__all__)


def test_both_clients_offer_the_same_operations() -> None:
    def operations(cls: type) -> set[str]:
        return {name for name in vars(cls) if not name.startswith("_")} - {"close", "aclose"}

    assert operations(CouponClient) == operations(AsyncCouponClient)
    assert len(operations(CouponClient)) == 15


def test_create_get_and_update_a_coupon(client: CouponClient) -> None:
    draft = new_coupon(minimum_order_amount=eur(2000), total_limit=100, per_user_limit=2)

    created = client.create_coupon(draft)
    fetched = client.get_coupon(created.coupon.id)
    paused = client.update_coupon(created.coupon.id, fetched.etag, status=CouponStatus.PAUSED, total_limit=150)

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


def test_fixed_amount_coupon_quotes_in_minor_units(client: CouponClient) -> None:
    coupon = client.create_coupon(new_coupon(discount=FixedAmountDiscount(amount=eur(500)))).coupon

    quote = client.quote(coupon.id, user_id="usr_1", order_amount=eur(300))

    assert quote.eligible
    assert quote.reason is None
    # The discount never exceeds the order: 5.00 off a 3.00 order is 3.00.
    assert (quote.discount, quote.payable_amount) == (eur(300), eur(0))


def test_a_stale_etag_raises_precondition_failed_with_the_problem(client: CouponClient) -> None:
    created = client.create_coupon(new_coupon())
    client.update_coupon(created.coupon.id, created.etag, name="First change")

    with pytest.raises(PreconditionFailed) as raised:
        client.update_coupon(created.coupon.id, created.etag, name="Second change")

    error = raised.value
    assert (error.status, error.code, error.title) == (412, "PRECONDITION_FAILED", "Precondition failed")
    assert error.detail is not None
    assert '"2"' in error.detail
    assert error.problem.type.endswith("/precondition-failed/")
    assert error.problem.instance == f"/v1/coupons/{created.coupon.id}"
    assert not error.retryable


def test_a_validation_problem_lists_each_invalid_value(client: CouponClient) -> None:
    now = datetime.now(UTC)

    with pytest.raises(ValidationFailed) as raised:
        client.create_coupon(new_coupon(starts_at=now, expires_at=now - timedelta(days=1)))

    assert raised.value.status == 422
    assert [(e.location, e.pointer) for e in raised.value.errors] == [("BODY", "/expiresAt")]


def test_business_refusals_map_to_their_classes(client: CouponClient) -> None:
    draft = new_coupon()
    client.create_coupon(draft)

    with pytest.raises(CouponCodeTaken):
        client.create_coupon(draft)
    with pytest.raises(CouponNotFound) as missing_coupon:
        client.get_coupon("cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K")
    with pytest.raises(RedemptionNotFound):
        client.get_redemption("rdm_01JD8S0B4N6P8R0T2V4X6Z8B0D")

    assert isinstance(missing_coupon.value, NotFound)
    assert missing_coupon.value.status == 404


def test_auth_problems(service: RunningCouponService) -> None:
    with CouponClient(service.url, service.token("coupon:read")) as reader:
        with pytest.raises(InsufficientScope) as forbidden:
            reader.create_coupon(new_coupon())
        assert forbidden.value.status == 403
    with CouponClient(service.url, "not-a-jwt") as stranger, pytest.raises(Unauthenticated):
        stranger.list_coupons()


def test_a_token_provider_is_asked_for_every_request(service: RunningCouponService) -> None:
    asked: list[int] = []

    def token() -> str:
        asked.append(1)
        return service.token()

    with CouponClient(service.url, token) as client:
        client.list_coupons(limit=1)
        client.list_coupons(limit=1)

    assert len(asked) == 2


def test_a_retried_redemption_is_replayed_and_says_so(client: CouponClient) -> None:
    coupon = client.create_coupon(new_coupon()).coupon

    def redeem() -> Redeemed:
        return client.redeem(
            coupon.id, user_id="usr_42", order_id="ord_1001", order_amount=eur(4990), idempotency_key="key-1"
        )

    first, retry = redeem(), redeem()

    assert (first.replayed, retry.replayed) == (False, True)
    assert retry.redemption == first.redemption
    assert first.redemption.discount == eur(499)
    assert first.redemption.status == RedemptionStatus.CONFIRMED


def test_a_refusal_is_the_outcome_of_its_key_and_is_replayed_too(client: CouponClient) -> None:
    coupon = client.create_coupon(new_coupon(total_limit=1)).coupon
    client.redeem(coupon.id, user_id="usr_1", order_id="ord_1", order_amount=eur(4990), idempotency_key="a")

    for replayed in (False, True):
        with pytest.raises(CouponExhausted) as raised:
            client.redeem(coupon.id, user_id="usr_2", order_id="ord_2", order_amount=eur(4990), idempotency_key="b")
        assert isinstance(raised.value, RedemptionRefused)
        assert (raised.value.status, raised.value.replayed, raised.value.retryable) == (409, replayed, False)


def test_per_user_limit_and_key_reuse(client: CouponClient) -> None:
    coupon = client.create_coupon(new_coupon(per_user_limit=1)).coupon
    client.redeem(coupon.id, user_id="usr_1", order_id="ord_1", order_amount=eur(4990), idempotency_key="k1")

    with pytest.raises(CouponUserLimitReached):
        client.redeem(coupon.id, user_id="usr_1", order_id="ord_2", order_amount=eur(4990), idempotency_key="k2")
    with pytest.raises(IdempotencyKeyReused) as reused:
        client.redeem(coupon.id, user_id="usr_9", order_id="ord_9", order_amount=eur(4990), idempotency_key="k1")
    assert reused.value.status == 422


def test_a_key_still_in_flight_is_a_retryable_conflict(service: RunningCouponService, client: CouponClient) -> None:
    coupon = client.create_coupon(new_coupon()).coupon
    path = f"/v1/coupons/{coupon.id}/redemptions"
    body = {"userId": "usr_1", "orderId": "ord_1", "orderAmount": {"amount": 4990, "currency": EUR}}
    # Another request with this key is running: its claim is in the table, its work not yet committed.
    now = datetime.now(UTC)
    engine = sqlalchemy.create_engine(f"sqlite:///{service.database_path}")
    with engine.begin() as connection:
        connection.execute(
            idempotency_keys.insert().values(
                client_id="test-client",
                idempotency_key="in-flight",
                fingerprint=fingerprint("POST", path, body),
                state="IN_FLIGHT",
                locked_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
    engine.dispose()

    with pytest.raises(IdempotencyKeyInUse) as raised:
        client.redeem(coupon.id, user_id="usr_1", order_id="ord_1", order_amount=eur(4990), idempotency_key="in-flight")

    assert (raised.value.status, raised.value.retryable) == (409, True)


def test_reserve_confirm_cancel_and_a_refused_transition(client: CouponClient) -> None:
    coupon = client.create_coupon(new_coupon(per_user_limit=5)).coupon

    def reserve(order_id: str) -> Redemption:
        redeemed = client.redeem(
            coupon.id,
            user_id="usr_1",
            order_id=order_id,
            order_amount=eur(4990),
            idempotency_key=order_id,
            hold_seconds=60,
        )
        return redeemed.redemption

    held, other = reserve("ord_1"), reserve("ord_2")

    assert held.status == RedemptionStatus.RESERVED
    assert held.hold_expires_at is not None
    assert client.confirm_redemption(held.id).status == RedemptionStatus.CONFIRMED
    assert client.confirm_redemption(held.id).status == RedemptionStatus.CONFIRMED  # a retry changes nothing
    assert client.cancel_redemption(held.id).status == RedemptionStatus.CANCELLED
    assert client.release_redemption(other.id).status == RedemptionStatus.RELEASED
    with pytest.raises(RedemptionStateConflict):
        client.release_redemption(held.id)
    assert client.get_redemption(other.id).status == RedemptionStatus.RELEASED
    assert client.get_coupon(coupon.id).coupon.usage.confirmed == 0


def test_pages_and_the_iterator_walk_every_redemption(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire
    coupon = client.create_coupon(new_coupon(per_user_limit=10)).coupon
    user = f"usr_{uuid.uuid4().hex[:8]}"
    made = [
        client.redeem(coupon.id, user_id=user, order_id=f"ord_{n}", order_amount=eur(1000), idempotency_key=f"p{n}")
        for n in range(5)
    ]
    newest_first = [redeemed.redemption.id for redeemed in reversed(made)]

    first = client.list_coupon_redemptions(coupon.id, limit=2)
    second = client.list_coupon_redemptions(coupon.id, limit=2, cursor=first.next_cursor)
    transport.requests.clear()
    walked = [redemption.id for redemption in client.iter_coupon_redemptions(coupon.id, page_size=2)]

    assert [r.id for r in (*first.items, *second.items)] == newest_first[:4]
    assert walked == newest_first
    assert len(transport.requests) == 3  # pages of 2, 2 and 1
    assert [r.id for r in client.iter_redemptions(user_id=user, page_size=3)] == newest_first
    assert [r.id for r in client.list_redemptions(user_id=user, status=RedemptionStatus.CONFIRMED).items] == (
        newest_first
    )


def test_the_coupon_iterator_walks_every_page(coupon_service: RunningCouponService) -> None:
    with CouponClient(coupon_service.url, coupon_service.token()) as client:
        created = [client.create_coupon(new_coupon()).coupon.id for _ in range(5)]

        walked = [coupon.id for coupon in client.iter_coupons(page_size=2)]
        paused = list(client.iter_coupons(status=CouponStatus.PAUSED))
        by_code = client.list_coupons(code=client.get_coupon(created[0]).coupon.code)

    assert walked == created[::-1]
    assert paused == []
    assert [coupon.id for coupon in by_code.items] == [created[0]]
    assert by_code.next_cursor is None


def test_reads_send_the_last_write_consistency_token(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire
    client.list_coupons(limit=1)
    created = client.create_coupon(new_coupon())
    remembered = client.consistency_token
    client.get_coupon(created.coupon.id)
    client.quote(created.coupon.id, user_id="usr_1", order_amount=eur(300))
    client.list_coupons(limit=1, consistency_token="explicit.1")

    before_write, write, read, quote, explicit = transport.requests
    assert "Consistency-Token" not in before_write.headers
    assert "Consistency-Token" not in write.headers
    assert remembered is not None
    assert read.headers["Consistency-Token"] == remembered
    assert quote.headers["Consistency-Token"] == remembered
    assert explicit.headers["Consistency-Token"] == "explicit.1"


def test_traceparent_is_passed_through(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire
    created = client.create_coupon(new_coupon(), traceparent=TRACEPARENT)
    client.get_coupon(created.coupon.id)

    assert transport.requests[0].headers["traceparent"] == TRACEPARENT
    assert "traceparent" not in transport.requests[1].headers


def test_the_async_client_has_the_same_operations(service: RunningCouponService) -> None:
    async def scenario() -> tuple[list[str], bool, CouponStatus]:
        async with AsyncCouponClient(service.url, service.token()) as client:
            created = await client.create_coupon(new_coupon(per_user_limit=3))
            coupon_id = created.coupon.id
            for n in range(3):
                await client.redeem(
                    coupon_id, user_id="usr_1", order_id=f"ord_{n}", order_amount=eur(2500), idempotency_key=f"a{n}"
                )
            replay = await client.redeem(
                coupon_id, user_id="usr_1", order_id="ord_0", order_amount=eur(2500), idempotency_key="a0"
            )
            walked = [r.order_id async for r in client.iter_coupon_redemptions(coupon_id, page_size=2)]
            paused = await client.update_coupon(coupon_id, created.etag, status=CouponStatus.PAUSED)
            with pytest.raises(CouponNotFound):
                await client.get_coupon("cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K")
            return walked, replay.replayed, paused.coupon.status

    walked, replayed, status = asyncio.run(scenario())

    assert walked == ["ord_2", "ord_1", "ord_0"]
    assert replayed is True
    assert status == CouponStatus.PAUSED


def test_an_unknown_route_is_a_plain_not_found(service: RunningCouponService) -> None:
    with CouponClient(f"{service.url}/no-such-prefix", service.token()) as client, pytest.raises(NotFound) as raised:
        client.list_coupons()

    assert type(raised.value) is NotFound
    assert raised.value.code == "RESOURCE_NOT_FOUND"


def test_an_answer_without_a_problem_document_is_classified_by_status() -> None:
    # No coupon service answers like this; a gateway in front of one does.
    gateway = httpx.MockTransport(lambda request: httpx.Response(502, text="<html>Bad gateway</html>"))
    client = CouponClient("http://coupon.invalid", "token", transport=gateway)
    with client, pytest.raises(ServiceUnavailable) as raised:
        client.list_coupons()

    assert (raised.value.status, raised.value.code, raised.value.retryable) == (502, "UNEXPECTED_RESPONSE", True)
    assert isinstance(raised.value, CouponServiceError)


def test_money_is_integer_minor_units() -> None:
    with pytest.raises(ValidationError):
        Money(amount=49.9, currency=EUR)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money(amount=-1, currency=EUR)


def test_an_update_needs_a_change(client: CouponClient) -> None:
    with pytest.raises(ValueError, match="at least one change"):
        client.update_coupon("cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K", '"1"')
