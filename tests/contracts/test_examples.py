"""Every example in every contract is valid against the schema it illustrates.

Examples are what readers copy and what Schemathesis sends in its examples phase; an invalid one
teaches the wrong shape and turns a conformance run into noise. The check is the guideline's own
(DSL-106, `contractkit lint`), so the contracts and the linter agree on what "valid" means.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contractkit.lint.engine import lint_workspace
from contractkit.loading import LoadPolicy, Workspace

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = sorted((ROOT / "contracts").glob("*/openapi.yaml"))
VALID_EXAMPLES = "DSL-106"


def _example_findings(contract: Path) -> list[str]:
    # The contracts folder is the root: a copy of it outside the repository still reaches shared/.
    policy = LoadPolicy(root=contract.parents[1])
    return [
        f"{result.file}:{result.line}: {result.message}"
        for result in lint_workspace(Workspace(contract, policy))
        if result.rule_id == VALID_EXAMPLES
    ]


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda path: path.parent.name)
def test_every_example_matches_its_schema(contract: Path) -> None:
    assert _example_findings(contract) == []


def test_an_invalid_example_in_our_contract_is_caught(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts", ignore=shutil.ignore_patterns("pacts"))
    contract = tmp_path / "contracts" / "coupon" / "openapi.yaml"
    text = contract.read_text(encoding="utf-8")
    valid = "                  perUserLimit: 1\n"
    assert valid in text
    contract.write_text(text.replace(valid, "                  perUserLimit: 0\n", 1), encoding="utf-8")
    findings = _example_findings(contract)
    assert len(findings) == 1
    assert "perUserLimit" in findings[0] or "minimum" in findings[0]
