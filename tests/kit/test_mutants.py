"""The kit has teeth: it reports a broken promise against every seeded defect of the coupon service.

Each mutant is served from its own copy of the source and judged by the promises meant to catch it;
three run at a time, which keeps the whole check within a minute or two on a two-core machine.
`python -m tests.kit.mutation` runs the whole kit (and Schemathesis alone) on every mutant for the
kill rates the testing page reports.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from contractkit.kit import promises_for
from tests.kit.mutants import MUTANTS, Mutant
from tests.kit.mutation import apply, broken, copy_source, judge, served

PARALLEL = 3


def test_every_mutant_edits_code_that_exists(tmp_path: Path) -> None:
    copy_source(tmp_path / "original")
    for mutant in MUTANTS:
        copy = tmp_path / mutant.id
        shutil.copytree(tmp_path / "original", copy)
        apply(mutant, copy)  # raises unless every edit's text occurs exactly once


def test_mutants_cover_every_category_and_name_real_promises() -> None:
    known = {p.id for p in promises_for("coupon-service")}
    assert {m.category for m in MUTANTS} == {"auth", "idempotency", "concurrency", "states", "money", "http", "input"}
    assert all(m.promises <= known for m in MUTANTS), [m.id for m in MUTANTS if not m.promises <= known]
    assert len({m.id for m in MUTANTS}) == len(MUTANTS)


def _survivor(mutant: Mutant, folder: Path) -> str | None:
    with served(mutant, folder) as url:
        found = broken(judge(url, mutant.promises))
    return None if found & mutant.promises else f"{mutant.id} ({mutant.defect}): broke {sorted(found)}"


@pytest.mark.slow
def test_the_kit_kills_every_mutant(tmp_path: Path) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        outcomes = list(pool.map(lambda m: _survivor(m, tmp_path / m.id), MUTANTS))
    assert [outcome for outcome in outcomes if outcome] == []
