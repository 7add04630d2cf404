"""Finding contracts under directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractkit.discovery import find_contracts

CONTRACTS = Path(__file__).parent / "fixtures" / "contracts"


def test_directories_are_searched_skipping_shared_and_pacts() -> None:
    assert find_contracts([CONTRACTS]) == [CONTRACTS / "bad" / "openapi.yaml", CONTRACTS / "good" / "openapi.yaml"]


def test_files_are_taken_as_given_and_duplicates_dropped() -> None:
    shared = CONTRACTS / "shared" / "schemas.yaml"
    assert find_contracts([shared, CONTRACTS / "good", shared]) == [shared, CONTRACTS / "good" / "openapi.yaml"]


def test_hidden_directories_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "openapi.json").write_text("{}")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "openapi.yml").write_text("openapi: 3.1.0")
    assert find_contracts([tmp_path]) == [tmp_path / "svc" / "openapi.yml"]


def test_missing_paths_raise() -> None:
    with pytest.raises(FileNotFoundError):
        find_contracts([CONTRACTS / "nope"])
