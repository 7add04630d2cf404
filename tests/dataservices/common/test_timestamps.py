"""RFC 3339 timestamps: what the parser reads, what services write, and the round trip through HTTP."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataservices.common.timestamps import InvalidTimestamp, format_utc, parse, utc_now
from tests.fixtures.coupon_service import RunningCouponService

# What every timestamp a service writes looks like: UTC, `Z`, whole seconds or six fraction digits.
WRITTEN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-06-01T00:00:00Z", _utc(2026, 6, 1)),
        ("2026-06-01T05:30:00+05:30", _utc(2026, 6, 1)),
        ("2026-05-31T19:00:00-05:00", _utc(2026, 6, 1)),
        ("2026-01-01T00:30:00+01:00", _utc(2025, 12, 31, 23, 30)),
        ("2026-06-01T00:00:00-00:00", _utc(2026, 6, 1)),
        ("2026-06-01T00:00:00+00:00", _utc(2026, 6, 1)),
        ("2026-06-01t00:00:00z", _utc(2026, 6, 1)),
        ("2026-06-01 00:00:00Z", _utc(2026, 6, 1)),
        ("2026-06-01T00:00:00.5Z", _utc(2026, 6, 1, 0, 0, 0, 500_000)),
        ("2026-06-01T00:00:00.000001Z", _utc(2026, 6, 1, 0, 0, 0, 1)),
        # Digits past the microsecond are cut, never rounded up into the next second.
        ("2026-06-01T23:59:59.9999999Z", _utc(2026, 6, 1, 23, 59, 59, 999_999)),
        ("2026-06-01T00:00:00.123456789+02:00", _utc(2026, 5, 31, 22, 0, 0, 123_456)),
        # A leap second is the last instant of its minute, in UTC or under an offset.
        ("2016-12-31T23:59:60Z", _utc(2016, 12, 31, 23, 59, 59, 999_999)),
        ("2016-12-31T23:59:60.5Z", _utc(2016, 12, 31, 23, 59, 59, 999_999)),
        ("2017-01-01T00:59:60+01:00", _utc(2016, 12, 31, 23, 59, 59, 999_999)),
        ("2024-02-29T12:00:00Z", _utc(2024, 2, 29, 12)),
        ("0999-01-01T00:00:00Z", _utc(999, 1, 1)),
        ("0001-01-01T00:00:00Z", _utc(1, 1, 1)),
        ("9999-12-31T23:59:59.999999Z", _utc(9999, 12, 31, 23, 59, 59, 999_999)),
    ],
)
def test_parse_reads_rfc3339_into_aware_utc(text: str, moment: datetime) -> None:
    parsed = parse(text)

    assert parsed == moment
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-06-01",
        "2026-06-01T00:00:00",  # no offset: local time is not a moment
        "2026-06-01T00:00Z",
        "2026-06-01T00:00:00+0100",
        "2026-06-01T00:00:00+01",
        "2026-06-01T00:00:00.Z",
        "2026-06-01T00:00:00,5Z",
        " 2026-06-01T00:00:00Z",
        "20260601T000000Z",
        "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-06-01T24:00:00Z",
        "2026-06-01T00:60:00Z",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:30:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:30:00-01:00",  # after year 9999 in UTC
    ],
)
def test_parse_refuses_what_is_not_a_storable_rfc3339_date_time(text: str) -> None:
    with pytest.raises(InvalidTimestamp):
        parse(text)


def test_an_invalid_timestamp_is_a_value_error_for_pydantic() -> None:
    assert issubclass(InvalidTimestamp, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2026-06-01T00:00:00Z\n", id="trailing-newline"),
        pytest.param("2026-06-01T00:00:00+24:00", id="offset-hour-24"),
        pytest.param("2026-06-01T00:00:00+99:99", id="offset-99-99"),
        pytest.param("2026-06-01T00:00:00+01:60", id="offset-minute-60"),
        pytest.param("\u0662\u0660\u0662\u0666-06-01T00:00:00Z", id="arabic-indic-digits"),
    ],
)
def test_parse_refuses_what_rfc3339_does_not_allow(text: str) -> None:
    with pytest.raises(InvalidTimestamp):
        parse(text)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (_utc(2026, 6, 1), "2026-06-01T00:00:00Z"),
        (_utc(2026, 6, 1, 0, 0, 0, 1), "2026-06-01T00:00:00.000001Z"),
        (_utc(2026, 6, 1, 0, 0, 0, 500_000), "2026-06-01T00:00:00.500000Z"),
        (datetime(2026, 6, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))), "2026-06-01T00:00:00Z"),
        (datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), "2025-12-31T23:30:00Z"),
        (_utc(999, 1, 1), "0999-01-01T00:00:00Z"),
        (_utc(50, 3, 4, 5, 6, 7), "0050-03-04T05:06:07Z"),
        (_utc(1, 1, 1), "0001-01-01T00:00:00Z"),
    ],
)
def test_format_writes_utc_with_z_and_four_digit_years(moment: datetime, text: str) -> None:
    assert format_utc(moment) == text


offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


@given(moments, offsets)
def test_format_then_parse_gives_back_the_same_moment(moment: datetime, offset: timezone) -> None:
    text = format_utc(moment.astimezone(offset))

    assert WRITTEN.match(text), text
    assert parse(text) == moment


@given(moments, offsets)
def test_parse_of_any_offset_gives_the_same_instant(moment: datetime, offset: timezone) -> None:
    local = moment.astimezone(offset)
    minutes = int(local.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
    sign, (hours, minutes) = ("+" if minutes >= 0 else "-"), divmod(abs(minutes), 60)
    text = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
        f".{local.microsecond:06d}{sign}{hours:02d}:{minutes:02d}"
    )

    assert parse(text) == moment


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()

    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.fixture(scope="module")
def client(coupon_service_module: RunningCouponService) -> Iterator[httpx.Client]:
    with coupon_service_module.client() as client:
        yield client


def _create(client: httpx.Client, starts_at: str, expires_at: str = "2099-01-01T00:00:00Z") -> httpx.Response:
    body: dict[str, Any] = {
        "code": f"T{uuid.uuid4().hex[:10].upper()}",
        "name": "Timestamp test coupon",
        "currency": "EUR",
        "discount": {"type": "PERCENTAGE", "percent": 10},
        "startsAt": starts_at,
        "expiresAt": expires_at,
    }
    return client.post("/v1/coupons", json=body)


@pytest.mark.parametrize(
    ("sent", "written"),
    [
        ("2026-06-01T05:30:00+05:30", "2026-06-01T00:00:00Z"),
        ("2026-05-31T19:00:00-05:00", "2026-06-01T00:00:00Z"),
        ("2026-06-01T00:00:00.123456789Z", "2026-06-01T00:00:00.123456Z"),
        ("2026-06-01t00:00:00z", "2026-06-01T00:00:00Z"),
        ("0999-01-01T00:00:00Z", "0999-01-01T00:00:00Z"),
    ],
)
def test_timestamps_are_stored_and_answered_in_utc(client: httpx.Client, sent: str, written: str) -> None:
    created = _create(client, sent)

    assert created.status_code == 201, created.text
    assert created.json()["startsAt"] == written
    assert client.get(f"/v1/coupons/{created.json()['id']}").json()["startsAt"] == written


def test_a_coupon_from_before_year_1000_is_compared_in_time_order(client: httpx.Client) -> None:
    # SQLite compares stored timestamps as text: only zero-padded years keep that in time order.
    created = _create(client, "0999-01-01T00:00:00Z").json()

    assert created["status"] == "ACTIVE"
    quote = client.post(
        f"/v1/coupons/{created['id']}/quotes",
        json={"userId": "usr_1", "orderAmount": {"amount": 100, "currency": "EUR"}},
    )
    assert (quote.json()["eligible"], quote.json()["discount"]["amount"]) == (True, 10)


def test_written_timestamps_are_utc_and_a_hold_ends_hold_seconds_after_creation(client: httpx.Client) -> None:
    before = utc_now()
    coupon = _create(client, format_utc(before - timedelta(days=1))).json()
    held = client.post(
        f"/v1/coupons/{coupon['id']}/redemptions",
        json={
            "userId": "usr_1",
            "orderId": "ord_1",
            "orderAmount": {"amount": 100, "currency": "EUR"},
            "holdSeconds": 90,
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
    ).json()
    after = utc_now()

    for text in (coupon["createdAt"], coupon["updatedAt"], held["createdAt"], held["holdExpiresAt"]):
        assert WRITTEN.match(text), text
    assert before <= parse(coupon["createdAt"]) <= parse(held["createdAt"]) <= after
    assert parse(held["holdExpiresAt"]) - parse(held["createdAt"]) == timedelta(seconds=90)


def test_a_timestamp_with_a_trailing_newline_is_refused(client: httpx.Client) -> None:
    response = _create(client, "2026-06-01T00:00:00Z\n")

    assert response.status_code == 422, response.text
