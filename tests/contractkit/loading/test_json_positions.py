"""The lazy JSON position index agrees with the text for any document and pointer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contractkit.loading import Document, pointer

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


def _pointers(value: Any, here: str = "") -> Iterator[tuple[str, Any, str | None]]:
    """Every (pointer, value, key) below ``value``; key is set for object members."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield pointer.child(here, key), item, key
            yield from _pointers(item, pointer.child(here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield pointer.child(here, index), item, None
            yield from _pointers(item, pointer.child(here, index))


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(previous) + 1 for previous in lines[: line - 1]) + column - 1


@settings(max_examples=60, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 1, 2]))
def test_every_pointer_lands_on_its_key_or_value(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    document = Document.from_text(Path("doc.json"), text)
    for node_pointer, node, key in _pointers(value):
        position = document.position(node_pointer)
        at = text[_offset(text, position.line, position.column) :]
        expected = json.dumps(key) if key is not None else json.dumps(node, indent=indent).split("\n")[0]
        assert at.startswith(expected), node_pointer


def test_large_documents_are_located_exactly(tmp_path: Path) -> None:
    # The breaking-change diff reads 13 MB documents (their speed is measured by `make bench`, not here).
    schemas = {
        f"S{i}": {
            "type": "object",
            "description": "x" * 200,
            "properties": {f"p{j}": {"type": "string", "description": "d" * 40} for j in range(20)},
        }
        for i in range(7000)
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"openapi": "3.1.0", "components": {"schemas": schemas}}, indent=2))
    assert path.stat().st_size > 13_000_000

    text = path.read_text()
    document = Document.from_text(path, text)
    last = document.position("/components/schemas/S6999/properties/p19/description")
    middle = document.position("/components/schemas/S3500/properties/p0")

    def line_of(*keys: str) -> int:
        at = 0
        for key in keys:
            at = text.index(f'"{key}"', at)
        return text.count("\n", 0, at) + 1

    assert last.line == line_of("S6999", "p19", "description") > 500_000
    assert middle.line == line_of("S3500", "p0")
