"""The answers of the coupon service's idempotent operations, as their idempotency key records them.

A retry with the same key must get exactly the answer the first request got, so that answer is made
inside the transaction that does the work and is stored with it (`dataservices.common.idempotency`).
The service operation records it; the route sends it as it is. The contract fixes its status, headers
and body; a refusal that is the request's outcome is recorded as its problem document by the keys.
"""

from __future__ import annotations

from datetime import datetime

from dataservices.common.encoding import dump_json
from dataservices.common.idempotency import StoredResponse
from dataservices.coupon.model import Redemption
from dataservices.coupon.schemas import redemption_json

CREATED = 201


def redemption_created(redemption: Redemption, now: datetime) -> StoredResponse:
    """`redeemCoupon`'s answer: 201, the new redemption and where it lives."""
    body = dump_json(redemption_json(redemption, now))
    return StoredResponse(status=CREATED, body=body, headers={"Location": f"/v1/redemptions/{redemption.id}"})


def succeeded(answer: StoredResponse) -> bool:
    """Whether a recorded answer is a success (a recorded refusal is a problem document)."""
    return 200 <= answer.status < 300
