"""The service's contract at start-up: bundled from the contracts folder, wherever that folder lies."""

from __future__ import annotations

import shutil
from pathlib import Path

from dataservices.common.contract import load_contract

REPOSITORY_CONTRACTS = Path(__file__).parents[3] / "contracts"


def test_a_copy_of_the_contracts_outside_any_repository_still_loads(tmp_path: Path) -> None:
    # contractkit reads only under a root; for a service the root is its contracts folder, so a
    # deployment that ships `contracts/` alone still reaches `contracts/shared/`.
    copy = tmp_path / "contracts"
    shutil.copytree(REPOSITORY_CONTRACTS, copy)
    from_copy, text = load_contract("coupon", copy)
    from_repository, _ = load_contract("coupon")
    assert from_copy.operations == from_repository.operations
    assert "$ref: ../shared" not in text
