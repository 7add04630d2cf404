"""Waivers: a waived finding is reported as waived, an expired waiver is an error, an unmatched one a warning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from contractkit.lint.finding import Result
from contractkit.lint.registry import Severity
from contractkit.lint.run import LintRequest, collect_waivers, lint
from contractkit.lint.waivers import WaiverFileError, find_waivers_file, load_waivers
from contractkit.loading import LoadError

CONTRACT = Path(__file__).parent / "fixtures" / "done-when" / "coupon" / "openapi.yaml"
MONEY = "/components/schemas/RedemptionRequest/properties/orderAmount"


def _waivers(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n" + "".join(entries), encoding="utf-8")
    return path


def _entry(rule: str = "DSL-301", pointer: str = MONEY, expires: str = "2027-06-30", file: Path = CONTRACT) -> str:
    return (
        f"  - rule: {rule}\n    file: '{file}'\n    pointer: {pointer}\n"
        "    reason: Moving to the shared Money schema in 1.1.\n    owner: Coupon team\n"
        f"    expires: {expires}\n"
    )


def _results(waivers: Path, today: date = date(2026, 6, 1)) -> list[Result]:
    return lint(LintRequest(contracts=[CONTRACT], waivers_file=waivers, today=today)).report.results


def test_a_waived_finding_is_reported_as_waived_and_does_not_fail(tmp_path: Path) -> None:
    outcome = lint(LintRequest(contracts=[CONTRACT], waivers_file=_waivers(tmp_path, _entry()), today=date(2026, 6, 1)))
    [money] = [r for r in outcome.report.results if r.rule_id == "DSL-301"]
    assert money.waived
    assert money.waiver is not None
    assert money.waiver.owner == "Coupon team"
    assert money not in outcome.report.active()
    assert outcome.report.count(Severity.ERROR) == 2
    assert "2 errors, 0 warnings, 1 waived" in outcome.summary


def test_an_expired_waiver_waives_nothing_and_is_an_error_at_its_entry(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, _entry(expires="2026-05-31"))
    results = _results(waivers)
    [money] = [r for r in results if r.rule_id == "DSL-301"]
    assert not money.waived
    [expired] = [r for r in results if r.rule_id == "waiver-expired"]
    assert (expired.severity, expired.file, expired.line, expired.pointer) == (Severity.ERROR, waivers, 2, "/waivers/0")
    assert "expired on 2026-05-31" in expired.message
    assert expired.docs_url.endswith("/guidelines/waivers/#waiver-expired")


def test_a_waiver_expiring_today_still_holds(tmp_path: Path) -> None:
    results = _results(_waivers(tmp_path, _entry(expires="2026-06-01")))
    assert [r.rule_id for r in results if r.waived] == ["DSL-301"]


def test_a_waiver_that_matches_nothing_is_a_warning(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, _entry(), _entry(rule="DSL-105"))
    [unmatched] = [r for r in _results(waivers) if r.rule_id == "waiver-unmatched"]
    assert (unmatched.severity, unmatched.line, unmatched.pointer) == (Severity.WARNING, 8, "/waivers/1")


def test_waivers_about_files_not_linted_are_not_judged_unmatched(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, _entry(file=tmp_path / "other" / "openapi.yaml"))
    assert [r.rule_id for r in _results(waivers) if r.rule_id.startswith("waiver-")] == []


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("waivers:\n  - rule: DSL-301\n", "missing or empty file, pointer, reason, owner, expires"),
        ("waivers:\n  - {rule: R1, file: a, pointer: /a, reason: r, owner: o, expires: 2026-01-01}\n", "rule 'R1'"),
        ("waivers:\n  - {rule: DSL-101, file: a, pointer: a, reason: r, owner: o, expires: 2026-01-01}\n", "pointer"),
        ("waivers:\n  - {rule: DSL-101, file: a, pointer: /a, reason: r, owner: o, expires: soon}\n", "not a date"),
        ("waivers: {}\n", "a `waivers` list"),
        ("waivers: [\n", "invalid YAML"),
    ],
)
def test_a_malformed_waivers_file_is_refused_with_its_line(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        load_waivers(path)
    assert complaint in raised.value.message
    assert raised.value.line >= 1
    assert isinstance(raised.value, WaiverFileError) or complaint == "invalid YAML"


def test_the_nearest_waivers_file_above_a_contract_is_used(tmp_path: Path) -> None:
    contract = tmp_path / "contracts" / "coupon" / "openapi.yaml"
    contract.parent.mkdir(parents=True)
    contract.write_text("openapi: 3.1.0\n", encoding="utf-8")
    assert find_waivers_file(contract) is None
    (tmp_path / "contracts" / "waivers.yaml").write_text("waivers: []\n", encoding="utf-8")
    assert find_waivers_file(contract) == tmp_path / "contracts" / "waivers.yaml"
    assert collect_waivers(LintRequest(contracts=[contract])) == []
    assert collect_waivers(LintRequest(contracts=[contract], use_waivers=False)) == []


def test_the_repository_waivers_load_and_each_has_an_owner_a_reason_and_an_expiry() -> None:
    # The ledger may be empty (our contracts follow every rule), but it must always load.
    repository_waivers = Path(__file__).parents[3] / "contracts" / "waivers.yaml"
    waivers = load_waivers(repository_waivers)
    for waiver in waivers:
        assert waiver.reason
        assert waiver.owner
        assert waiver.expires > date(2026, 11, 1)
