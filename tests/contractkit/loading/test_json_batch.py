"""Positions found in one pass for many pointers are the ones the per-pointer lookup gives for each alone."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, SupportsIndex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractkit.loading import load_document, pointer
from contractkit.loading.json_source import JsonPositions

REPOSITORY = Path(__file__).resolve().parents[3]
BENCH_SPECS = REPOSITORY.parent / "shared" / "bench-specs"
_WHITESPACE = st.text(alphabet=" \t\n\r", max_size=3)


def _tokens(value: Any, here: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every node's tokens, then tokens that lead nowhere: past a scalar, a missing key, an index past the end."""
    yield here
    yield (*here, "missing")
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _tokens(item, (*here, key))
    elif isinstance(value, list):
        yield (*here, str(len(value)))
        yield (*here, "01")
        for index, item in enumerate(value):
            yield from _tokens(item, (*here, str(index)))


def _agree(text: str, wanted: list[tuple[str, ...]]) -> None:
    one_by_one = JsonPositions(text)
    expected = [one_by_one.locate(tokens) for tokens in wanted]
    assert JsonPositions(text).locate_many([pointer.join(tokens) for tokens in wanted]) == expected


@st.composite
def _json_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """JSON text with any whitespace between tokens, escaped and duplicate keys (data keeps the last one)."""
    space = draw(_WHITESPACE)
    kind = draw(st.sampled_from(["scalar", "object", "array"] if depth < 4 else ["scalar"]))
    if kind == "scalar":
        scalar = draw(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5))
        return space + json.dumps(scalar, ensure_ascii=draw(st.booleans())) + draw(_WHITESPACE)
    if kind == "array":
        items = draw(st.lists(_json_texts(depth + 1), max_size=4))
        return f"{space}[{','.join(items) or draw(_WHITESPACE)}]{draw(_WHITESPACE)}"
    keys = draw(st.lists(st.sampled_from(["a", "b", "0", "x/y", "t~n", 'q"', "é", "\\"]), max_size=4))
    members = [
        f"{draw(_WHITESPACE)}{json.dumps(key, ensure_ascii=draw(st.booleans()))}{draw(_WHITESPACE)}:"
        f"{draw(_json_texts(depth + 1))}"
        for key in keys
    ]
    return f"{space}{{{','.join(members) or draw(_WHITESPACE)}}}{draw(_WHITESPACE)}"


@settings(max_examples=300, deadline=None)
@given(text=_json_texts(), order=st.randoms(use_true_random=False))
def test_generated_documents(text: str, order: random.Random) -> None:
    wanted = list(_tokens(json.loads(text)))
    order.shuffle(wanted)
    _agree(text, wanted)


def test_repeated_and_no_pointers() -> None:
    text = '{"a": [1, {"b": 2}], "a": 3}'
    _agree(text, [("a", "1", "b"), ("a", "1", "b"), (), ("a",), ("a", "1", "b", "deeper")])
    assert JsonPositions(text).locate_many([]) == []


def _real_documents() -> Iterator[Path]:
    # The hostile corpus is not real documents: some of it is not even valid JSON for Python.
    yield from sorted(path for path in (REPOSITORY / "tests").rglob("*.json") if "hostile" not in path.parts)
    yield from sorted(BENCH_SPECS.glob("*/*.json"))


@pytest.mark.parametrize("path", list(_real_documents()), ids=lambda path: path.name)
def test_real_documents(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    wanted = list(_tokens(json.loads(text)))
    # The big public documents hold hundreds of thousands of nodes; a sample keeps the per-pointer side quick.
    if len(wanted) > 5_000:
        wanted = random.Random(path.name).sample(wanted, 5_000)
    _agree(text, wanted)


@pytest.mark.parametrize("contract", sorted((REPOSITORY / "contracts").rglob("openapi.yaml")), ids=str)
def test_repository_contracts_as_json(contract: Path) -> None:
    data = load_document(contract).data
    for indent in (None, 2):
        text = json.dumps(data, indent=indent)
        wanted = list(_tokens(data))
        random.Random(7).shuffle(wanted)
        _agree(text, wanted)
        assert JsonPositions(text).locate_many(["/info"]) == [JsonPositions(text).locate(["info"])]


def test_minified_documents_stay_linear() -> None:
    # One line of several megabytes: the column of each offset must not be found by searching back to the start,
    # so the text the searches read adds up to a few times its length, however many offsets are asked for.
    schemas = {
        f"S{i}": {"type": "object", "properties": {f"p{j}": {"type": "string"} for j in range(20)}} for i in range(8000)
    }
    text = _Counting(json.dumps({"components": {"schemas": schemas}}, separators=(",", ":")))
    wanted = [f"/components/schemas/S{i}/properties/p{j}" for i in range(8000) for j in range(0, 20, 4)]
    places = JsonPositions(text).locate_many(wanted)
    assert text.read <= 3 * len(text)
    assert places[-1] == (1, text.index('"p16"', text.index('"S7999"')) + 1)


class _Counting(str):
    """Text that adds up how many characters its newline searches read."""

    read = 0

    def count(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:
        self._tally(start, end)
        return super().count(sub, start, end)

    def rfind(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:
        self._tally(start, end)
        return super().rfind(sub, start, end)

    def _tally(self, start: SupportsIndex | None, end: SupportsIndex | None) -> None:
        low = 0 if start is None else int(start)
        high = len(self) if end is None else int(end)
        self.read += max(0, high - low)
