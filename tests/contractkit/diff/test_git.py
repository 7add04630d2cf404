"""`--git-base`: the base side read from git, shared files followed, added and removed contracts included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contractkit.diff import DiffOptions, GitError, diff_contracts, diff_git
from contractkit.loading import UnreadableFile
from tests.contractkit.diff.conftest import git
from tests.contractkit.diff.corpus import PAIRS, TODAY

SHOP = PAIRS / "shop"


def _options(repository: Path) -> DiffOptions:
    return DiffOptions(today=TODAY, pacts=repository / "contracts" / "pacts")


def test_nothing_changed_means_no_contract_compared(repository: Path) -> None:
    assert diff_git("main", Path("contracts"), _options(repository)).contracts == ()


def test_a_change_in_a_shared_file_alone_diffs_every_contract_that_uses_it(repository: Path) -> None:
    shutil.copy(SHOP / "revision" / "shared" / "money.yaml", repository / "contracts" / "shared" / "money.yaml")
    report = diff_git("main", Path("contracts"), _options(repository))
    (contract,) = report.contracts
    assert (contract.base, contract.revision) == ("main:contracts/items/openapi.yaml", "contracts/items/openapi.yaml")
    finding = next(f for f in contract.findings if f.operation == "GET /v1/items")
    assert finding.check.id == "response-optional-property-removed"
    assert finding.base is not None
    assert finding.revision is not None
    assert (finding.base.file, finding.base.line) == ("main:contracts/shared/money.yaml", 11)
    assert (finding.revision.file, finding.revision.line) == ("contracts/shared/money.yaml", 4)


def test_staged_and_unstaged_changes_both_count(repository: Path) -> None:
    shutil.copy(
        SHOP / "revision" / "shared" / "parameters.yaml", repository / "contracts" / "shared" / "parameters.yaml"
    )
    git(repository, "add", "contracts/shared/parameters.yaml")
    shutil.copy(SHOP / "revision" / "items" / "openapi.yaml", repository / "contracts" / "items" / "openapi.yaml")
    checks = {f.check.id for f in diff_git("main", Path("contracts"), _options(repository)).findings}
    assert {"request-range-narrowed", "operation-removed-without-deprecation"} <= checks


def test_added_and_removed_contracts_are_compared_with_nothing(repository: Path) -> None:
    orders = repository / "contracts" / "orders"
    orders.mkdir()
    (orders / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: Orders, version: 1.0.0}\n"
        "paths: {/v1/orders: {get: {responses: {'200': {description: ok}}}}}\n",
        encoding="utf-8",
    )
    (repository / "contracts" / "items" / "openapi.yaml").unlink()
    report = diff_git("main", Path("contracts"), _options(repository))
    by_name = {contract.name: contract for contract in report.contracts}
    added, removed = by_name["contracts/orders/openapi.yaml"], by_name["main:contracts/items/openapi.yaml"]
    assert added.base is None
    assert [f.check.id for f in added.findings] == ["operation-added"]
    assert removed.revision is None
    assert {f.check.id for f in removed.findings} == {"operation-removed-without-deprecation"}
    deleted = next(f for f in removed.findings if f.operation == "DELETE /v1/items/{itemId}")
    assert [str(impact) for impact in deleted.consumers] == ["storefront — 'a request to delete an item'"]


def test_a_side_can_be_ref_colon_path(repository: Path) -> None:
    shutil.copy(
        SHOP / "revision" / "shared" / "parameters.yaml", repository / "contracts" / "shared" / "parameters.yaml"
    )
    report = diff_contracts("main:contracts/items/openapi.yaml", "contracts/items/openapi.yaml", _options(repository))
    assert {f.check.id for f in report.findings} == {"request-range-narrowed", "breaking-change-without-major-version"}


def test_unknown_refs_and_missing_files_are_clear_errors(repository: Path) -> None:
    with pytest.raises(GitError):
        diff_git("no-such-branch", Path("contracts"), _options(repository))
    with pytest.raises(UnreadableFile, match="cannot read at main"):
        diff_contracts("main:contracts/nope/openapi.yaml", "contracts/items/openapi.yaml", _options(repository))


def test_outside_a_repository_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GitError):
        diff_git("main", Path("contracts"))
