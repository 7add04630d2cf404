"""JSON Schema patterns keep their ECMA-262 meaning on Python's `re`."""

from __future__ import annotations

import pytest

from contractkit import patterns


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (r"^[A-Z0-9]{3,8}$", "SUMMER10", True),
        (r"^[A-Z0-9]{3,8}$", "SUMMER10\n", False),  # Python's $ alone would accept the newline
        (r"^usr_[0-9]+$", "usr_42\n", False),
        (r"^\d+$", "123", True),
        (r"^\d+$", "١٢٣", False),  # ECMA's \d is ASCII; Python's matches Arabic-Indic digits
        (r"^\w+$", "é", False),
        (r"^[$]+$", "$$", True),  # a $ inside a class is a character, not an anchor
        (r"^a\$$", "a$", True),  # so is an escaped one
        (r"^a$|^b$", "b", True),
        (r"[0-9]", "x7y", True),  # patterns search; they are not anchored unless they say so
    ],
)
def test_a_pattern_matches_as_ecma_262_says(pattern: str, text: str, matches: bool) -> None:
    assert patterns.search(pattern, text) is matches


def test_only_anchors_are_rewritten() -> None:
    assert patterns.to_python(r"^[A-Z$]\$x$") == r"^[A-Z$]\$x\Z"


@pytest.mark.parametrize(
    ("pattern", "whole"),
    [
        (r"^[A-Z0-9]+$", True),
        (r"^(ON|OFF)$", True),
        (r"^(?:ON|OFF)$", True),
        (r"^a$|^b$", True),  # every branch anchored at both ends
        (r"^[|]+$", True),  # a | inside a class is a character
        (r"^a\\$", True),  # an escaped backslash, then the end
        (r"[A-Z0-9]+", False),
        (r"^thg_", False),
        (r"_v[0-9]+$", False),
        (r"^ON|OFF$", False),  # `OFF$` may start anywhere, `^ON` end anywhere
        (r"^a$|b", False),
        (r"^[0-9]+\$", False),  # an escaped dollar is a character, not the end
    ],
)
def test_a_pattern_is_anchored_when_every_branch_spans_the_whole_string(pattern: str, whole: bool) -> None:
    assert patterns.anchored(pattern) is whole
