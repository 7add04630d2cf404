"""Properties of the coupon's pure rules: the discount rule and the refusals of an order or a state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from dataservices.coupon import errors
from dataservices.coupon.model import (
    ACTIVE,
    CONFIRMED,
    EXPIRED,
    FIXED_AMOUNT,
    PAUSED,
    PERCENTAGE,
    RELEASED,
    RESERVED,
    Coupon,
    Redemption,
    discount_for,
    order_refusal,
    state_refusal,
)

# The contract's largest amount: the largest integer a JSON number keeps exactly.
MAX_AMOUNT = 2**53 - 1
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

amounts = st.integers(min_value=0, max_value=MAX_AMOUNT)
small_amounts = st.integers(min_value=0, max_value=100_000)
percents = st.integers(min_value=1, max_value=100)


def _coupon(**overrides: Any) -> Coupon:
    values: dict[str, Any] = {
        "id": "cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K",
        "code": "SUMMER10",
        "name": "Summer",
        "currency": "EUR",
        "discount_type": PERCENTAGE,
        "discount_amount": None,
        "discount_percent": 10,
        "maximum_discount": None,
        "minimum_order_amount": None,
        "starts_at": NOW - timedelta(days=1),
        "expires_at": NOW + timedelta(days=1),
        "total_limit": None,
        "per_user_limit": 1,
        "status": ACTIVE,
        "confirmed": 0,
        "reserved": 0,
        "version": 1,
        "created_at": NOW - timedelta(days=2),
        "updated_at": NOW - timedelta(days=2),
        **overrides,
    }
    return Coupon(**values)


def _percentage(percent: int, maximum: int | None = None) -> Coupon:
    return _coupon(discount_type=PERCENTAGE, discount_percent=percent, maximum_discount=maximum)


def _fixed(amount: int) -> Coupon:
    return _coupon(discount_type=FIXED_AMOUNT, discount_amount=amount, discount_percent=None)


coupons = st.one_of(
    st.builds(_percentage, percents, st.none() | amounts),
    st.builds(_fixed, amounts),
)


@given(coupons, amounts)
def test_a_discount_is_never_negative_and_never_above_the_order(coupon: Coupon, order_amount: int) -> None:
    discount = discount_for(coupon, order_amount)

    assert isinstance(discount, int)
    assert 0 <= discount <= order_amount


@given(percents, amounts)
@example(percent=10, order_amount=4990)  # the contract's example: 499
@example(percent=15, order_amount=333)  # 49.95 rounds down to 49
@example(percent=33, order_amount=MAX_AMOUNT)  # exact beyond float precision
def test_a_percentage_is_rounded_down_to_the_minor_unit(percent: int, order_amount: int) -> None:
    discount = discount_for(_percentage(percent), order_amount)

    # floor(amount * percent / 100), in integers: never more than the advertised percentage.
    assert discount * 100 <= order_amount * percent < (discount + 1) * 100


def test_the_documented_examples_of_the_percentage_rule() -> None:
    assert discount_for(_percentage(10), 4990) == 499
    assert discount_for(_percentage(15), 333) == 49
    assert discount_for(_percentage(1), 99) == 0
    assert discount_for(_percentage(100), 1234) == 1234
    assert discount_for(_percentage(10, maximum=1500), 20_000) == 1500
    assert discount_for(_fixed(500), 300) == 300
    assert discount_for(_fixed(500), 0) == 0


@given(percents, amounts, amounts)
def test_a_maximum_discount_caps_a_percentage(percent: int, maximum: int, order_amount: int) -> None:
    uncapped = discount_for(_percentage(percent), order_amount)

    capped = discount_for(_percentage(percent, maximum), order_amount)

    assert capped == min(uncapped, maximum)
    assert capped <= maximum


@given(amounts, amounts)
def test_a_fixed_amount_is_capped_by_the_order_amount(amount: int, order_amount: int) -> None:
    assert discount_for(_fixed(amount), order_amount) == min(amount, order_amount)


@given(percents, percents, small_amounts)
def test_a_higher_percentage_never_gives_less(low: int, high: int, order_amount: int) -> None:
    low, high = sorted((low, high))

    assert discount_for(_percentage(low), order_amount) <= discount_for(_percentage(high), order_amount)


@given(coupons, small_amounts, small_amounts)
def test_a_larger_order_never_gets_a_smaller_discount(coupon: Coupon, smaller: int, larger: int) -> None:
    smaller, larger = sorted((smaller, larger))

    assert discount_for(coupon, smaller) <= discount_for(coupon, larger)


@given(st.none() | small_amounts, small_amounts, st.sampled_from(["EUR", "USD"]))
def test_an_order_is_refused_only_for_its_currency_or_its_minimum(
    minimum: int | None, order_amount: int, currency: str
) -> None:
    refusal = order_refusal(_coupon(minimum_order_amount=minimum), order_amount, currency)

    if currency != "EUR":
        assert isinstance(refusal, errors.CurrencyMismatch)
    elif minimum is not None and order_amount < minimum:
        assert isinstance(refusal, errors.OrderBelowMinimum)
    else:
        assert refusal is None


def test_refusals_carry_the_contract_codes() -> None:
    mismatch = order_refusal(_coupon(), 100, "USD")
    below = order_refusal(_coupon(minimum_order_amount=2000), 1999, "EUR")

    assert mismatch is not None
    assert (mismatch.status, mismatch.code) == (409, "CURRENCY_MISMATCH")
    assert below is not None
    assert (below.status, below.code) == (409, "ORDER_BELOW_MINIMUM")
    assert order_refusal(_coupon(minimum_order_amount=2000), 2000, "EUR") is None


# Where `now` falls relative to a window of [NOW - 1 day, NOW + 1 day).
moments = st.sampled_from(
    [
        NOW - timedelta(days=2),
        NOW - timedelta(days=1, microseconds=1),
        NOW - timedelta(days=1),
        NOW,
        NOW + timedelta(days=1, microseconds=-1),
        NOW + timedelta(days=1),
        NOW + timedelta(days=2),
    ]
)


@given(
    status=st.sampled_from([ACTIVE, PAUSED]),
    now=moments,
    total_limit=st.none() | st.integers(min_value=1, max_value=5),
    confirmed=st.integers(min_value=0, max_value=5),
    reserved=st.integers(min_value=0, max_value=5),
    per_user_limit=st.integers(min_value=1, max_value=3),
    user_used=st.integers(min_value=0, max_value=4),
)
def test_the_state_refusal_follows_status_window_and_usage(
    status: str,
    now: datetime,
    total_limit: int | None,
    confirmed: int,
    reserved: int,
    per_user_limit: int,
    user_used: int,
) -> None:
    coupon = _coupon(
        status=status, total_limit=total_limit, confirmed=confirmed, reserved=reserved, per_user_limit=per_user_limit
    )
    before, after = now < coupon.starts_at, now >= coupon.expires_at
    exhausted = total_limit is not None and confirmed + reserved >= total_limit

    refusal = state_refusal(coupon, now, user_used)

    if status == PAUSED and not after:
        expected: type[errors.RedemptionRefused] | None = errors.CouponPaused
    elif before:
        expected = errors.CouponNotYetValid
    elif after:
        expected = errors.CouponExpired
    elif exhausted:
        expected = errors.CouponExhausted
    elif user_used >= per_user_limit:
        expected = errors.CouponUserLimitReached
    else:
        expected = None
    assert (None if refusal is None else type(refusal)) is expected
    assert refusal is None or refusal.status == 409


def test_the_window_is_closed_at_its_start_and_open_at_its_end() -> None:
    coupon = _coupon()

    assert state_refusal(coupon, coupon.starts_at, 0) is None
    assert isinstance(state_refusal(coupon, coupon.starts_at - timedelta(microseconds=1), 0), errors.CouponNotYetValid)
    assert state_refusal(coupon, coupon.expires_at - timedelta(microseconds=1), 0) is None
    assert isinstance(state_refusal(coupon, coupon.expires_at, 0), errors.CouponExpired)


@given(
    total_limit=st.none() | st.integers(min_value=1, max_value=10),
    confirmed=st.integers(min_value=0, max_value=12),
    reserved=st.integers(min_value=0, max_value=12),
)
def test_remaining_is_never_negative_and_none_when_unlimited(
    total_limit: int | None, confirmed: int, reserved: int
) -> None:
    coupon = _coupon(total_limit=total_limit, confirmed=confirmed, reserved=reserved)

    if total_limit is None:
        assert coupon.remaining is None
    else:
        assert coupon.remaining == max(total_limit - confirmed - reserved, 0)


@given(status=st.sampled_from([ACTIVE, PAUSED]), now=moments)
def test_a_coupon_is_expired_exactly_from_the_end_of_its_window(status: str, now: datetime) -> None:
    coupon = _coupon(status=status)

    assert coupon.effective_status(now) == (EXPIRED if now >= coupon.expires_at else status)


def _redemption(status: str, hold: datetime | None) -> Redemption:
    return Redemption(
        id="rdm_01JD8S0B4N6P8R0T2V4X6Z8B0D",
        coupon_id="cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K",
        code="SUMMER10",
        user_id="usr_42",
        order_id="ord_1001",
        order_amount=4990,
        currency="EUR",
        discount_amount=499,
        status=status,
        hold_expires_at=hold,
        created_at=NOW - timedelta(minutes=1),
        updated_at=NOW - timedelta(minutes=1),
    )


def test_a_reservation_reads_as_released_from_the_moment_its_hold_expires() -> None:
    hold = NOW + timedelta(seconds=30)

    assert _redemption(RESERVED, hold).effective_status(hold - timedelta(microseconds=1)) == RESERVED
    assert _redemption(RESERVED, hold).effective_status(hold) == RELEASED
    assert _redemption(RESERVED, None).effective_status(NOW + timedelta(days=365)) == RESERVED
    assert _redemption(CONFIRMED, hold).effective_status(hold + timedelta(days=1)) == CONFIRMED
