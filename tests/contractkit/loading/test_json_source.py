"""JSON to data: nesting past the limit located, numbers and strings Python cannot hold refused, refs counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractkit.loading import Document, LimitExceeded, Limits, ParseFailure


def test_nesting_past_the_limit_names_where(tmp_path: Path) -> None:
    text = '{"a": 1,\n "deep": [[[[{"x": 1}]]]]}'
    assert Document.from_text(tmp_path / "c.json", text, Limits(depth=6)).data["deep"] == [[[[{"x": 1}]]]]
    with pytest.raises(LimitExceeded, match="CONTRACTKIT_MAX_DEPTH=5") as caught:
        Document.from_text(tmp_path / "c.json", text, Limits(depth=5))
    assert (caught.value.pointer, caught.value.line) == ("/deep/0/0/0/0", 2)


def test_nesting_past_the_decoder_is_the_same_limit(tmp_path: Path) -> None:
    text = '{"a": 1,\n "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(LimitExceeded, match="CONTRACTKIT_MAX_DEPTH") as caught:
        Document.from_text(tmp_path / "c.json", text)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"big": ' + "9" * 5000 + "}", "Exceeds the limit"),
        ('{"title": "half \\ud800 a pair"}', "surrogate"),
    ],
)
def test_json_python_cannot_hold_is_a_parse_failure(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(ParseFailure, match=reason):
        Document.from_text(tmp_path / "c.json", text)


def test_pairs_of_surrogate_escapes_are_text(tmp_path: Path) -> None:
    document = Document.from_text(tmp_path / "c.json", '{"title": "\\ud83d\\ude00"}')
    assert document.data == {"title": "\U0001f600"}


def test_ref_keys_are_counted(tmp_path: Path) -> None:
    document = Document.from_text(tmp_path / "c.json", '{"a": {"$ref": "#/b"}, "b": [{"$ref": "#/a"}, {}]}')
    assert document.refs == 2


@pytest.mark.parametrize(
    "text",
    [
        '{"id": 123456789012345678901234567890, "small": -9223372036854775809}',
        '{"max": 18446744073709551615, "ratio": 0.1000000000000000055511151231257827}',
        '{"limit": NaN, "top": Infinity, "huge": 1e400, "tiny": 1e-400}',
        '{"a": 1, "a": 2, "b": {"c": [1.5, -0.0, 5e-324, 1.7976931348623157e308]}}',
        '{"text": "tab\\tline\\u2028 \\u00e9 \\ud83d\\ude00"}',
    ],
)
def test_values_are_the_json_module_s(tmp_path: Path, text: str) -> None:
    # Parsing goes through orjson where it gives the same values; big integers stay exact integers,
    # and what only `json` accepts is still accepted.
    data = Document.from_text(tmp_path / "c.json", text).data
    assert repr(data) == repr(json.loads(text))


def test_a_document_that_is_one_big_integer_stays_exact(tmp_path: Path) -> None:
    assert (
        Document.from_text(tmp_path / "c.json", "123456789012345678901234567890").data == 123456789012345678901234567890
    )
