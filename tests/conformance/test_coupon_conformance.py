"""The coupon service honours its contract: Schemathesis in-process, every check, every phase.

The Schemathesis configuration is the one `contractkit verify` uses (`schemathesis_config`), so this
suite and a CI run of `contractkit verify` against any implementation hold it to the same rules. A
fixed seed, derandomized Hypothesis and bounded examples keep the run deterministic in CI; `make fuzz`
runs the same checks much longer against a live server.

All 14 checks run. Two can never fire here, and that is said rather than hidden:
- `use_after_free` looks for a resource that still answers after a DELETE; the contract has no DELETE.
- `object_level_authorization` needs two callers of which one must not see the other's resources;
  coupons belong to the company, not to a caller, so any caller with `coupon:read` may read every
  coupon by design (the contract states no ownership).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from contractkit.bundle import bundle
from contractkit.verify import VerifyOptions, schemathesis_config
from dataservices.common.auth import issue_development_token
from dataservices.common.migrate import upgrade
from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from dataservices.coupon.spec import SPEC as COUPON
from tests.fixtures.coupon_service import ALL_SCOPES, TEST_AUTH
from tests.fixtures.services import reset_database

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "coupon" / "openapi.yaml"
SEED = 20261129
# Enough to cover every operation's examples, boundaries and a few hundred generated requests in
# well under a minute; `make fuzz` is where a run goes long.
MAX_EXAMPLES = 50
STATEFUL_EXAMPLES = 25
STATEFUL_STEPS = 12

# The app must be attached before `parametrize` collects, so the database is made at import time.
_folder = Path(tempfile.mkdtemp(prefix="coupon-conformance-"))
atexit.register(shutil.rmtree, _folder, True)
DATABASE = _folder / "coupon.db"
_settings = CouponSettings(database_url=f"sqlite:///{DATABASE}")
upgrade(COUPON, _settings.resolved_database_url())
TOKEN = issue_development_token(TEST_AUTH, list(ALL_SCOPES), subject="conformance-suite")

_document = bundle(CONTRACT)
_options = VerifyOptions(base_url="http://coupon.test", token=TOKEN, max_examples=MAX_EXAMPLES, seed=SEED)
schema = schemathesis.openapi.from_dict(
    _document, config=SchemathesisConfig.from_dict(schemathesis_config(_document, _options))
)
schema.app = create_app(_settings, TEST_AUTH)


@schema.parametrize()
@hypothesis.settings(derandomize=True, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_operation_honours_contract(case: Any) -> None:
    """Examples, coverage and fuzzing phases: every response is documented and schema-valid."""
    case.call_and_validate()


class CouponWorkflows(schema.as_state_machine()):  # type: ignore[misc]
    """Stateful phase: sequences chained by the contract's links (create → get → redeem → confirm …)."""

    def setup(self) -> None:
        # Each Hypothesis example starts from an empty database, so a shrunk failure replays the same.
        reset_database(_settings.resolved_database_url(), COUPON.metadata)


TestCouponWorkflows = CouponWorkflows.TestCase
TestCouponWorkflows.settings = hypothesis.settings(
    max_examples=STATEFUL_EXAMPLES,
    stateful_step_count=STATEFUL_STEPS,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)


def test_every_operation_is_exercised() -> None:
    """The parametrized run covers every operation the contract documents."""
    documented = {
        f"{method.upper()} {path}"
        for path, item in _document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }
    collected = {result.ok().label for result in schema.get_all_operations()}
    assert collected == documented


@pytest.mark.parametrize("check", ["use_after_free", "object_level_authorization"])
def test_checks_that_cannot_fire_are_still_enabled(check: str) -> None:
    """The two checks explained above stay enabled, so they start working when the contract grows."""
    config = schema.config.checks_config_for(operation=None, phase=None)  # type: ignore[attr-defined]
    assert getattr(config, check).enabled
