"""The back office's pact holds against `contractkit mock` of the coupon contract, before any provider runs.

A consumer team writes its pact tests against Pact's own mock server (`test_backoffice_coupon.py`);
replaying the pact they wrote against the contract's mock shows that what the consumer expects is
something the contract allows: the same replay the coupon service passes later
(`tests/pacts/provider`). The provider states are made through the mock's API, exactly as for the
service, and the mock remembers what they create, so a get, a pause or a list of redemptions sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.contractkit.mock.mocks import AUTH, COUPON, mocked
from tests.fixtures.live_server import LiveServer
from tests.pacts.coupon_states import STATE_PATH, CouponStates, coupon_pacts, verifier_for

# Any well-formed bearer token passes the mock (it carries every scope), as `contractkit mock` documents.
TOKEN = AUTH["Authorization"].removeprefix("Bearer ")


@pytest.fixture(autouse=True)
def _no_pact_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "true")


@pytest.fixture
def mock() -> Iterator[LiveServer]:
    with mocked(COUPON) as server:
        yield server


def _states(mock: LiveServer, live_server: Callable[..., LiveServer]) -> str:
    api: Callable[[], httpx.Client] = lambda: httpx.Client(base_url=mock.url, headers=AUTH, timeout=30)  # noqa: E731
    # Nothing to reset: every state is made of fresh resources, with ids the mock never gave before.
    states = CouponStates(api, reset=lambda: None)
    return f"{live_server(states.app()).url}{STATE_PATH}"


@pytest.mark.parametrize("pact", coupon_pacts(), ids=lambda path: path.stem)
def test_the_pact_holds_against_the_mock_of_the_contract(
    pact: Path, mock: LiveServer, live_server: Callable[..., LiveServer]
) -> None:
    verifier = verifier_for(pact, mock.url, _states(mock, live_server), TOKEN)

    verifier.verify()

    results = verifier.results["interactionResults"]
    assert results, "the pact has no interactions"
    assert not [result for result in results if "mismatch" in result]


def test_without_memory_the_mock_cannot_keep_a_pact_that_needs_state(live_server: Callable[..., LiveServer]) -> None:
    """Remembering is what makes two interactions hold: a stateless mock answers the contract's examples.

    Its created coupon is the example coupon rather than the one sent, and its paused coupon is active.
    """
    [pact] = [path for path in coupon_pacts() if path.stem == "backoffice-coupon-service"]
    with mocked(COUPON, remember=False) as stateless:
        verifier = verifier_for(pact, stateless.url, _states(stateless, live_server), TOKEN)
        with pytest.raises(RuntimeError):
            verifier.verify()
    failed = {result["description"] for result in verifier.results["interactionResults"] if "mismatch" in result}
    assert failed == {"a request to create a coupon", "a request to pause a coupon"}
