"""Declared failures are read strictly, so a stale or mistyped file cannot hide a broken promise."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractkit.kit.expected import ExpectedFailuresError, load_expected_failures

KNOWN = {"KIT-101", "COUPON-201"}


def _load(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "expected.yaml"
    path.write_text(text, encoding="utf-8")
    return load_expected_failures(path, KNOWN)


def test_ids_map_to_their_reasons(tmp_path: Path) -> None:
    assert _load(tmp_path, "KIT-101: the gateway answers 401 for us\n") == {"KIT-101": "the gateway answers 401 for us"}
    assert _load(tmp_path, "") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("KIT-999: no such promise\n", "not a promise"),
        ("kit-101: lower case\n", "not a promise id"),
        ("KIT-101: ''\n", "needs a reason"),
        ("- KIT-101\n", "mapping"),
        ("KIT-101: [unclosed\n", "cannot read"),
    ],
)
def test_a_file_that_cannot_be_trusted_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ExpectedFailuresError, match=message):
        _load(tmp_path, text)
