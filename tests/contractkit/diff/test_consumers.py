"""Consumer impact: pacts read, interactions matched to operations, fields named; the real backoffice pact."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from contractkit.diff import DiffOptions, diff_contracts
from contractkit.diff.consumers import load_pacts, provider_name

ROOT = Path(__file__).parents[3]
COUPON = ROOT / "contracts" / "coupon" / "openapi.yaml"


def test_pacts_of_every_version_are_read_and_bad_files_noted(tmp_path: Path) -> None:
    (tmp_path / "v3.json").write_text(
        json.dumps(
            {
                "consumer": {"name": "checkout"},
                "provider": {"name": "payment-service"},
                "interactions": [
                    {
                        "description": "a payment",
                        "request": {"method": "post", "path": "/v1/payments?x=1", "body": {"orderId": "o1"}},
                        "response": {"status": 201, "matchingRules": {"body": {"$.id": {"matchers": []}}}},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "v2.json").write_text(
        json.dumps(
            {
                "consumer": {"name": "backoffice"},
                "provider": {"name": "wallet-service"},
                "interactions": [
                    {
                        "description": "a wallet",
                        "request": {"method": "GET", "path": "/v1/wallets/w1"},
                        "response": {"status": 200, "matchingRules": {"$.body.balance['amount']": {"match": "type"}}},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    interactions, notes = load_pacts(tmp_path)
    by_consumer = {interaction.consumer: interaction for interaction in interactions}
    payment = by_consumer["checkout"]
    assert (payment.method, payment.path, payment.status) == ("POST", "/v1/payments", "201")
    assert payment.bodies["request"] == {"orderId": "o1"}
    assert payment.rules["response"] == (("id",),)
    assert by_consumer["backoffice"].rules["response"] == (("balance", "amount"),)
    assert len(notes) == 1
    assert "broken.json" in notes[0]
    assert load_pacts(tmp_path / "missing") == ([], [])


def test_provider_names_follow_the_folder_unless_the_contract_says_otherwise() -> None:
    assert provider_name({}, Path("contracts/coupon/openapi.yaml")) == "coupon-service"
    assert provider_name({"x-pact-provider": "coupons"}, Path("contracts/coupon/openapi.yaml")) == "coupons"


def test_the_backoffice_pact_names_the_interactions_a_coupon_change_breaks(tmp_path: Path) -> None:
    # A copy of the real contracts with one change: `code` (sent by the backoffice when creating a coupon,
    # read back in every coupon it gets) must be shorter.
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    # In a repository of its own, so its refs to contracts/shared/ stay under its root.
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    revised = tmp_path / "contracts" / "coupon" / "openapi.yaml"
    text = revised.read_text(encoding="utf-8")
    before = "      maxLength: 32\n      example: SUMMER10\n"
    assert text.count(before) == 1
    revised.write_text(text.replace(before, "      maxLength: 8\n      example: SUMMER10\n"), encoding="utf-8")
    report = diff_contracts(COUPON, revised, DiffOptions(pacts=ROOT / "contracts" / "pacts"))
    assert not [f for f in report.findings if f.check.id == "unresolved-ref"]
    create = next(
        f for f in report.findings if f.check.id == "request-length-narrowed" and f.operation == "POST /v1/coupons"
    )
    assert create.field == "code"
    assert [str(impact) for impact in create.consumers] == ["backoffice — 'a request to create a coupon' (uses `code`)"]
    # Nothing in the contract's responses breaks, so nobody is listed for those findings.
    narrowed = [f for f in report.findings if f.check.id == "response-length-narrowed"]
    assert narrowed
    assert all(f.consumers == () for f in narrowed)
    listing = next(
        f for f in report.findings if f.check.id == "request-length-narrowed" and f.operation == "GET /v1/coupons"
    )
    assert listing.consumers == ()
