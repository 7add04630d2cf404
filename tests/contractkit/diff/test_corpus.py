"""The fixture corpus: every case finds exactly what it expects, in both directions, and every check is covered."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractkit.diff import CHECKS
from tests.contractkit.diff.corpus import GATE, Case, expected, found, load_cases, run

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_finds_what_it_expects(case: Case, tmp_path: Path) -> None:
    wanted, with_fields = expected(case.expect)
    report = run(tmp_path, case.base, case.revision)
    assert found(report, case.gate, with_fields) == wanted


@pytest.mark.parametrize("case", [c for c in CASES if c.reverse is not None], ids=lambda case: case.id)
def test_reversed_case_finds_the_mirror_findings(case: Case, tmp_path: Path) -> None:
    assert case.reverse is not None
    wanted, with_fields = expected(case.reverse)
    report = run(tmp_path, case.revision, case.base)
    assert found(report, case.gate, with_fields) == wanted


def test_every_check_has_a_case() -> None:
    covered = {entry.split()[0] for case in CASES for entry in [*case.expect, *(case.reverse or [])]}
    covered.add(GATE)
    missing = [check.id for check in CHECKS if check.id not in covered]
    assert not missing, f"checks without a fixture case: {missing}"


def test_every_case_finding_is_a_known_check() -> None:
    unknown = {entry.split()[0] for case in CASES for entry in case.expect if entry.split()[0] not in CHECKS}
    assert not unknown
