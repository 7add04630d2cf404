"""Parsing YAML and JSON into plain data with a position for every pointer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractkit.loading import Document, ParseFailure, UnreadableFile, load_document

YAML_TEXT = """\
openapi: 3.1.0
info:
  title: T
  version: '1'
paths:
  /v1/items:
    get:
      parameters:
        - name: limit
          in: query
        - $ref: '#/components/parameters/Cursor'
      responses:
        200:
          description: ok
x-released: 2024-05-01
x-base: &base {type: string}
x-merged:
  <<: *base
  maxLength: 3
"""


@pytest.fixture
def yaml_document(tmp_path: Path) -> Document:
    path = tmp_path / "openapi.yaml"
    path.write_text(YAML_TEXT)
    return load_document(path)


@pytest.mark.parametrize(
    ("pointer", "line", "column"),
    [
        ("", 1, 1),
        ("/info", 2, 1),
        ("/info/title", 3, 3),
        ("/paths/~1v1~1items/get", 7, 5),
        ("/paths/~1v1~1items/get/parameters/1", 11, 11),
        ("/paths/~1v1~1items/get/parameters/1/$ref", 11, 11),
        ("/paths/~1v1~1items/get/responses/200/description", 14, 11),
        # Missing nodes fall back to their nearest existing ancestor.
        ("/paths/~1v1~1items/get/responses/404/description", 12, 7),
        ("/paths/~1v1~1items/get/parameters/7", 8, 7),
    ],
)
def test_yaml_positions(yaml_document: Document, pointer: str, line: int, column: int) -> None:
    position = yaml_document.position(pointer)
    assert (position.line, position.column) == (line, column)
    assert position.file == yaml_document.path


def test_yaml_data_is_plain_json(yaml_document: Document) -> None:
    data = yaml_document.data
    # Unquoted `200:` is still the key "200", and dates stay strings, as in JSON.
    assert list(data["paths"]["/v1/items"]["get"]["responses"]) == ["200"]
    assert data["x-released"] == "2024-05-01"
    assert data["x-merged"] == {"type": "string", "maxLength": 3}
    json.dumps(data)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(ParseFailure) as caught:
        load_document(path)
    assert caught.value.path == path
    assert caught.value.line == 3
    assert "invalid YAML" in caught.value.message


def test_json_positions(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{\n  "a": {"x/y": [10, {"deep": true}]},\n  "b": "é"\n}\n')
    document = load_document(path)
    assert document.data["b"] == "é"
    assert (document.position("/a").line, document.position("/a").column) == (2, 3)
    assert (document.position("/a/x~1y/1/deep").line, document.position("/a/x~1y/1/deep").column) == (2, 22)
    assert document.position("/b").line == 3
    assert document.position("/a/missing").line == 2


def test_json_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{\n  "a": 1,\n  "b": ]\n}\n')
    with pytest.raises(ParseFailure) as caught:
        load_document(path)
    assert caught.value.line == 3


def test_suffix_picks_the_parser_and_unknown_suffixes_are_sniffed() -> None:
    assert Document.from_text(Path("x.json"), '{"a": 1}').data == {"a": 1}
    assert Document.from_text(Path("x.txt"), '{"a": 1}').data == {"a": 1}
    assert Document.from_text(Path("x.txt"), "a: 1").data == {"a": 1}


def test_missing_and_undecodable_files_are_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="No such file"):
        load_document(tmp_path / "nope.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00not text")
    with pytest.raises(UnreadableFile):
        load_document(binary)
