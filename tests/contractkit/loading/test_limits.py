"""The limits: read from the environment (and only as documented), and listed on the tools page as they are."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from contractkit.loading import Limits, LimitSettingError, limits_from_environment
from contractkit.loading.limits import MIB, SETTINGS

TOOLS_PAGE = Path(__file__).parents[3] / "docs" / "tools" / "index.md"


def test_nothing_set_means_the_defaults() -> None:
    assert limits_from_environment({}) == Limits()
    assert limits_from_environment({"CONTRACTKIT_MAX_FILES": "  "}) == Limits()


def test_every_limit_has_its_variable_and_sizes_take_units() -> None:
    environ = {
        "CONTRACTKIT_MAX_FILE_SIZE": "5M",
        "CONTRACTKIT_MAX_TOTAL_SIZE": "512k",
        "CONTRACTKIT_MAX_FILES": "3",
        "CONTRACTKIT_MAX_DEPTH": "12",
        "CONTRACTKIT_MAX_EXPANSION": "7",
        "CONTRACTKIT_MAX_REFS": "9",
    }
    assert limits_from_environment(environ) == Limits(
        file_size=5 * MIB, total_size=512 * 1024, files=3, depth=12, expansion=7, refs=9
    )
    assert limits_from_environment({"CONTRACTKIT_MAX_FILE_SIZE": "1GiB"}).file_size == 1024 * MIB


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CONTRACTKIT_MAX_FILES", "many"),
        ("CONTRACTKIT_MAX_FILES", "10K"),  # units are for sizes only
        ("CONTRACTKIT_MAX_DEPTH", "-1"),
        ("CONTRACTKIT_MAX_DEPTH", "0"),
        ("CONTRACTKIT_MAX_FILE_SIZE", "1.5M"),
    ],
)
def test_anything_else_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(LimitSettingError, match=variable):
        limits_from_environment({variable: value})


def test_the_tools_page_lists_every_limit_with_its_default() -> None:
    text = TOOLS_PAGE.read_text(encoding="utf-8")
    table = text.split("<!-- limits:start -->")[1].split("<!-- limits:end -->")[0]
    rows = re.findall(r"^\| `(CONTRACTKIT_MAX_\w+)` \| [^|]+ \| ([^|]+) \|$", table, re.MULTILINE)
    documented = {variable: default.strip() for variable, default in rows}
    assert list(documented) == [setting.variable for setting in SETTINGS]
    assert len(SETTINGS) == len(fields(Limits))
    for setting in SETTINGS:
        # "32M (33,554,432)" or "1,000": the exact number is always there.
        numbers = [int(number.replace(",", "")) for number in re.findall(r"[\d,]{2,}", documented[setting.variable])]
        assert setting.default in numbers, setting.variable


def test_a_limit_below_one_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Limits(files=0)
