"""The back office's expectations of the coupon service, recorded as a V4 pact by driving the real client.

Each test declares one interaction, runs the asyncio `CouponClient` against Pact's mock server and checks what the
client made of the answer. Matchers say what the back office relies on (shapes, id and timestamp
formats, the status after a pause), not the example values. Ids the provider generates reach the
request paths through provider-state injection: the provider's state handler returns `couponId` and
`etag`, which replace the examples below when the provider verifies the pact.

The pact is written to a temp folder and published to `contracts/pacts/backoffice-coupon-service.json`
only when every test of this module wrote its interaction: sorted, whole (stale interactions
disappear), and rewritten only when its content changed, so re-running the tests never churns it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pact import Pact, generate, match
from pact.match.matcher import GenericMatcher

from dataservices.clients import Money, read_your_writes
from dataservices.clients.coupon import CouponClient, CouponStatus, NewCoupon, PercentageDiscount, RedemptionStatus

pytestmark = pytest.mark.anyio

CONSUMER, PROVIDER = "backoffice", "coupon-service"
PACTS_DIR = Path(__file__).resolve().parents[3] / "contracts" / "pacts"
PACT_FILE_NAME = f"{CONSUMER}-{PROVIDER}.json"

# A well-formed token that no service accepts: the verifier sends a real one instead (add_custom_header).
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiYWNrb2ZmaWNlIn0.c2lnbmF0dXJl"
COUPON_ID = "cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K"
REDEMPTION_ID = "rdm_01JD8S0B4N6P8R0T2V4X6Z8B0D"
ULID = "[0-9A-HJKMNP-TV-Z]{26}"
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"
ETAG = r'^"[0-9]+"$'

NEW_COUPON = NewCoupon(
    code="SPRING27",
    name="Spring sale, 10% off",
    currency="EUR",
    discount=PercentageDiscount(percent=10, maximum_discount=Money(amount=1500, currency="EUR")),
    minimum_order_amount=Money(amount=2000, currency="EUR"),
    starts_at=datetime(2027, 3, 1, tzinfo=UTC),
    expires_at=datetime(2027, 6, 1, tzinfo=UTC),
    total_limit=100,
    per_user_limit=1,
)


def _from_state(example: str, regex: str, expression: str) -> GenericMatcher[str]:
    """A value matched by `regex` that the provider takes from its state handler's answer (`${name}`)."""
    return GenericMatcher("regex", example, regex=regex, generator=generate.provider_state(expression))


def _timestamp(example: str = "2027-02-20T09:30:00Z") -> Any:
    return match.regex(example, regex=TIMESTAMP)


def _money(amount: int) -> Any:
    return match.like({"amount": amount, "currency": "EUR"})


def _coupon(*, status: Any, code: Any) -> dict[str, Any]:
    """A coupon as the back office reads it: every field of the contract's `Coupon`."""
    return {
        "id": match.regex(COUPON_ID, regex=f"^cpn_{ULID}$"),
        "code": code,
        "name": match.str("Spring sale, 10% off"),
        "currency": match.regex("EUR", regex="^[A-Z]{3}$"),
        "discount": {
            "type": "PERCENTAGE",
            "percent": match.int(10),
            "maximumDiscount": _money(1500),
        },
        "minimumOrderAmount": _money(2000),
        "startsAt": _timestamp("2027-03-01T00:00:00Z"),
        "expiresAt": _timestamp("2027-06-01T00:00:00Z"),
        "totalLimit": match.int(100),
        "perUserLimit": match.int(1),
        "status": status,
        "usage": match.like({"confirmed": 0, "reserved": 0, "remaining": 100}),
        "createdAt": _timestamp(),
        "updatedAt": _timestamp(),
    }


def _redemption() -> dict[str, Any]:
    return {
        "id": match.regex(REDEMPTION_ID, regex=f"^rdm_{ULID}$"),
        "couponId": match.regex(COUPON_ID, regex=f"^cpn_{ULID}$"),
        "code": match.str("SPRING27"),
        "userId": match.str("usr_42"),
        "orderId": match.str("ord_1001"),
        "orderAmount": _money(4990),
        "discount": _money(499),
        "status": match.regex("CONFIRMED", regex="^(RESERVED|CONFIRMED|RELEASED|CANCELLED)$"),
        "holdExpiresAt": None,
        "createdAt": _timestamp(),
        "updatedAt": _timestamp(),
    }


def _new_pact() -> Pact:
    return Pact(CONSUMER, PROVIDER).with_specification("V4")


def _bearer() -> Any:
    return match.regex(f"Bearer {TOKEN}", regex=r"^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


class PactFolder:
    """Collects this module's interactions in a temp folder; publishes the pact when all of them are in."""

    def __init__(self, folder: Path, tests: set[str]) -> None:
        self.folder = folder
        self.tests = tests
        self.written: set[str] = set()

    def publish(self) -> None:
        if self.written != self.tests:
            return  # a test failed or was not selected: keep the committed pact as it is
        document = json.loads((self.folder / PACT_FILE_NAME).read_text())
        document["interactions"].sort(key=lambda interaction: interaction["description"])
        text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        target = PACTS_DIR / PACT_FILE_NAME
        if not target.exists() or target.read_text() != text:
            PACTS_DIR.mkdir(parents=True, exist_ok=True)
            staged = target.with_suffix(".json.tmp")
            staged.write_text(text)
            staged.replace(target)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _no_pact_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "true")


@pytest.fixture(scope="module")
def pact_folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PactFolder]:
    tests = {name for name in vars(request.module) if name.startswith("test_")}
    folder = PactFolder(tmp_path_factory.mktemp("pacts"), tests)
    yield folder
    folder.publish()


@pytest.fixture
def record(request: pytest.FixtureRequest, pact_folder: PactFolder) -> Callable[[Pact], None]:
    """Add a pact whose mock server was fully matched to the module's pact file."""

    def write(pact: Pact) -> None:
        pact.write_file(pact_folder.folder)
        pact_folder.written.add(request.node.originalname)

    return write


async def test_create_a_coupon(record: Callable[[Pact], None]) -> None:
    pact = _new_pact()
    (
        pact.upon_receiving("a request to create a coupon")
        .with_request("POST", "/v1/coupons")
        .with_header("Authorization", _bearer())
        .with_body(
            NEW_COUPON.model_dump(mode="json", by_alias=True, exclude_none=True), content_type="application/json"
        )
        .will_respond_with(201)
        .with_header("Location", match.regex(f"/v1/coupons/{COUPON_ID}", regex=f"^/v1/coupons/cpn_{ULID}$"))
        .with_header("ETag", match.regex('"1"', regex=ETAG))
        .with_header("Consistency-Token", match.regex("sqlite.1", regex=r"^[A-Za-z0-9._~-]+$"))
        .with_body(_coupon(status="ACTIVE", code="SPRING27"), content_type="application/json")
    )

    with pact.serve() as server, read_your_writes() as session:
        async with CouponClient(str(server.url), TOKEN) as client:
            created = await client.create_coupon(NEW_COUPON)

    assert (created.coupon.id, created.etag) == (COUPON_ID, '"1"')
    assert created.coupon.status == CouponStatus.ACTIVE
    assert created.coupon.minimum_order_amount == Money(amount=2000, currency="EUR")
    assert session.token == "sqlite.1"
    record(pact)


async def test_get_a_coupon(record: Callable[[Pact], None]) -> None:
    pact = _new_pact()
    (
        pact.upon_receiving("a request for a coupon")
        .given("a coupon exists")
        .with_request(
            "GET", _from_state(f"/v1/coupons/{COUPON_ID}", f"^/v1/coupons/cpn_{ULID}$", "/v1/coupons/${couponId}")
        )
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_header("ETag", match.regex('"1"', regex=ETAG))
        .with_body(
            _coupon(status=match.regex("ACTIVE", regex="^(ACTIVE|PAUSED|EXPIRED)$"), code=match.str("SPRING27")),
            content_type="application/json",
        )
    )

    with pact.serve() as server:
        async with CouponClient(str(server.url), TOKEN) as client:
            fetched = await client.get_coupon(COUPON_ID)

    assert fetched.etag == '"1"'
    assert fetched.coupon.discount == PercentageDiscount(
        percent=10, maximum_discount=Money(amount=1500, currency="EUR")
    )
    assert fetched.coupon.usage.remaining == 100
    record(pact)


async def test_list_a_coupons_redemptions(record: Callable[[Pact], None]) -> None:
    pact = _new_pact()
    path = _from_state(
        f"/v1/coupons/{COUPON_ID}/redemptions",
        f"^/v1/coupons/cpn_{ULID}/redemptions$",
        "/v1/coupons/${couponId}/redemptions",
    )
    (
        pact.upon_receiving("a request for a coupon's redemptions")
        .given("a coupon with redemptions exists")
        .with_request("GET", path)
        .with_query_parameter("limit", "50")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body(
            {"items": match.each_like(_redemption(), min=1), "nextCursor": None}, content_type="application/json"
        )
    )

    with pact.serve() as server:
        async with CouponClient(str(server.url), TOKEN) as client:
            page = await client.list_coupon_redemptions(COUPON_ID, limit=50)

    assert page.next_cursor is None
    assert [redemption.id for redemption in page.items] == [REDEMPTION_ID]
    assert page.items[0].status == RedemptionStatus.CONFIRMED
    assert page.items[0].discount == Money(amount=499, currency="EUR")
    record(pact)


async def test_pause_a_coupon(record: Callable[[Pact], None]) -> None:
    pact = _new_pact()
    (
        pact.upon_receiving("a request to pause a coupon")
        .given("a coupon exists")
        .with_request(
            "PATCH", _from_state(f"/v1/coupons/{COUPON_ID}", f"^/v1/coupons/cpn_{ULID}$", "/v1/coupons/${couponId}")
        )
        .with_header("Authorization", _bearer())
        .with_header("If-Match", _from_state('"1"', ETAG, "${etag}"))
        .with_body({"status": "PAUSED"}, content_type="application/json")
        .will_respond_with(200)
        .with_header("ETag", match.regex('"2"', regex=ETAG))
        .with_header("Consistency-Token", match.regex("sqlite.2", regex=r"^[A-Za-z0-9._~-]+$"))
        .with_body(_coupon(status="PAUSED", code=match.str("SPRING27")), content_type="application/json")
    )

    with pact.serve() as server:
        async with CouponClient(str(server.url), TOKEN) as client:
            paused = await client.update_coupon(COUPON_ID, '"1"', status=CouponStatus.PAUSED)

    assert paused.coupon.status == CouponStatus.PAUSED
    assert paused.etag == '"2"'
    record(pact)
