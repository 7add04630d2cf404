"""The mock of every contract passes what `contractkit verify` holds a real implementation to.

Schemathesis runs all 14 checks in every phase against the mock, with the contract's own tuning:
every answer, remembered or from an example, must be documented and valid, every invalid request
refused, a created resource readable through the contract's links. The mock trusts a signing key, as
a service does, so the checks that send requests without a valid token judge it fairly.
"""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from contractkit.bundle import bundle
from contractkit.discovery import find_contracts
from contractkit.mock import MockTokenSettings
from contractkit.operations import OperationIndex
from contractkit.server.auth import TokenVerifier
from contractkit.verify import VerifyOptions, verify
from tests.contractkit.mock.mocks import ROOT, WIDGETS, mocked

SIGNING = MockTokenSettings(hs256_secret="a-test-secret-of-thirty-two-bytes", issuer="tests", audience="dataservices")
# Few examples and a fixed seed: the run covers every operation and phase in seconds, the same way each time.
MAX_EXAMPLES = 5
SEED = 1


def _token(contract: Path) -> str:
    scopes = " ".join(OperationIndex(bundle(contract)).scopes)
    claims = {"sub": "consumer", "iss": SIGNING.issuer, "aud": SIGNING.audience, "scope": scopes}
    return jwt.encode({**claims, "exp": int(time.time()) + 3600}, SIGNING.hs256_secret)


@pytest.mark.slow
@pytest.mark.parametrize(
    "contract",
    [*find_contracts([ROOT / "contracts"]), WIDGETS],
    ids=lambda path: path.stem if path == WIDGETS else path.parent.name,
)
def test_the_mock_passes_every_check_in_every_phase(contract: Path) -> None:
    with mocked(contract, TokenVerifier(SIGNING)) as server:
        options = VerifyOptions(base_url=server.url, token=_token(contract), max_examples=MAX_EXAMPLES, seed=SEED)
        result = verify(contract, options, echo=lambda _: None)
    assert result.passed, f"Schemathesis exit {result.exit_code}; its report is in the captured output"
