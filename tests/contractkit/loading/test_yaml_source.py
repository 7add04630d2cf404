"""YAML to JSON-like data: merge keys as PyYAML means them, aliases and nesting counted, tags held to JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints

from contractkit.loading import Document, LimitExceeded, Limits, ParseFailure
from contractkit.loading.yaml_source import _Loader

MERGES = [
    "base: &b {a: 1, b: 2}\nuse: {<<: *b, b: 3, c: 4}\n",
    "x: &x {a: 1}\ny: &y {a: 2, b: 2}\nuse: {<<: [*x, *y], c: 3}\n",
    "x: &x {a: 1}\nnested: &n {<<: *x, b: 2}\nuse: {<<: *n, a: 9}\n",
    "use: {<<: {a: 1, b: 2}, a: 0}\n",
]


def _data(text: str, limits: Limits | None = None) -> object:
    return Document.from_text(Path("c.yaml"), text, limits).data


@pytest.mark.parametrize("text", MERGES)
def test_merge_keys_mean_what_they_mean_to_pyyaml(text: str) -> None:
    assert _data(text) == yaml.safe_load(text)


def test_a_merged_mapping_gives_its_own_values_even_with_repeated_keys() -> None:
    # PyYAML keeps the first of repeated keys when merging single-character ones (the same string
    # object) and the last otherwise; here a merge always gives what the merged mapping itself holds.
    for key in ("a", "amount"):
        data = _data(f"x: &x {{{key}: 1, {key}: 2}}\nuse: {{<<: [*x, *x]}}\n")
        assert isinstance(data, dict)
        assert data["use"] == data["x"] == {key: 2}


def test_positions_find_merged_members(tmp_path: Path) -> None:
    document = Document.from_text(tmp_path / "c.yaml", "base: &b {a: 1}\nuse:\n  <<: *b\n  c: 2\n")
    assert document.position("/use/c").line == 4
    assert document.get("/use/a") == 1


def test_an_alias_bomb_stops_at_once_at_the_alias_that_passes_the_limit() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    with pytest.raises(LimitExceeded) as caught:
        _data("\n".join(lines) + "\n")
    error = caught.value
    assert "CONTRACTKIT_MAX_EXPANSION=100000" in error.message
    # a4 holds 10^5 leaves: the first alias that brings the count past 100,000 is in that line.
    assert (error.line, error.pointer.split("/")[1]) == (5, "a4")


def test_aliases_that_stay_small_are_shared_values() -> None:
    data = _data("s: &s {type: string}\na: *s\nb: *s\n", Limits(expansion=4))
    assert isinstance(data, dict)
    assert data["a"] is data["s"] is data["b"]
    with pytest.raises(LimitExceeded):
        _data("s: &s {type: string}\na: *s\nb: *s\nc: *s\n", Limits(expansion=4))


def test_merge_key_chains_count_what_they_copy() -> None:
    chain = ["m0: &m0 {a: 1, b: 2}"] + [f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}" for i in range(1, 30)]
    text = "\n".join(chain) + "\n"
    assert _data(text) == yaml.safe_load(text)
    with pytest.raises(LimitExceeded, match="merge keys"):
        _data(text, Limits(expansion=100))


def test_nesting_is_counted_through_aliases() -> None:
    text = "deep: &d [[[[1]]]]\nuse: [[*d]]\n"
    assert _data(text, Limits(depth=7)) == yaml.safe_load(text)
    with pytest.raises(LimitExceeded, match="CONTRACTKIT_MAX_DEPTH=6") as caught:
        _data(text, Limits(depth=6))
    assert caught.value.pointer == "/use/0/0"


def test_nesting_past_libyaml_s_own_bound_is_the_depth_limit() -> None:
    with pytest.raises(LimitExceeded, match="CONTRACTKIT_MAX_DEPTH"):
        _data("x: " + "[" * 2000 + "]" * 2000 + "\n")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x: &x {self: *x}\n", "recursive aliases are not allowed"),
        ("x: !!binary aGk=\n", "JSON cannot hold"),
        ("x: !!timestamp 2024-01-01\n", "JSON cannot hold"),
        ("x: !!set {a, b}\n", "JSON cannot hold"),
        ("x: !!python/object/apply:os.system [echo]\n", "JSON cannot hold"),
        ("x: !!bool maybe\n", "cannot be read as tag:yaml.org,2002:bool"),
        ("x: " + "9" * 5000 + "\n", "cannot be read as tag:yaml.org,2002:int"),
        ("? [1]\n: 2\n", "mapping keys must be scalars"),
        ("x: {<<: 5}\n", r"merge key \(<<\) takes a mapping"),
    ],
)
def test_yaml_that_is_no_json_is_a_parse_failure(text: str, reason: str) -> None:
    with pytest.raises(ParseFailure, match=reason):
        _data(text)


def test_ref_keys_are_counted() -> None:
    document = Document.from_text(Path("c.yaml"), "a: {$ref: '#/b'}\nb: [{$ref: '#/a'}, {x: 1}]\n")
    assert document.refs == 2


# Scalars of every kind the safe loader types, and text that only looks like one.
SCALARS = [
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "nul",
    "true",
    "True",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "truthy",
    "0",
    "-0",
    "+12",
    "012",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "1:30",
    "1.5",
    "-.5",
    ".inf",
    "-.Inf",
    ".nan",
    "1e3",
    "6.02e+23",
    "1.",
    "2026-06-01",
    "2026-06-01T10:00:00Z",
    "<<",
    "=",
    "!",
    "&",
    "*",
    "string",
    "The answer",
    "Off-peak",
    "o'clock",
    "#hash",
    "- item",
    "12 apples",
    "0.1.2",
    "T",
    "F",
]


@pytest.mark.parametrize("scalar", SCALARS)
def test_scalar_tags_are_pyyaml_s_without_timestamps(scalar: str) -> None:
    # The loader's resolver takes a shorter way than PyYAML's; every answer must still be PyYAML's own.
    loader = _Loader("")
    try:
        for implicit in ((True, False), (False, True), (False, False)):
            ours = loader.resolve(yaml.ScalarNode, scalar, implicit)
            assert ours == yaml.resolver.BaseResolver.resolve(loader, yaml.ScalarNode, scalar, implicit)
        for kind in (yaml.MappingNode, yaml.SequenceNode):
            assert loader.resolve(kind, None, (False, False)) == yaml.resolver.BaseResolver.resolve(
                loader, kind, None, (False, False)
            )
    finally:
        loader.dispose()


def test_dates_stay_strings() -> None:
    assert _data("day: 2026-06-01\nat: 2026-06-01T10:00:00Z\n") == {"day": "2026-06-01", "at": "2026-06-01T10:00:00Z"}


def test_the_safe_loader_has_no_wildcard_or_path_resolvers() -> None:
    # The shortcut in the loader's `resolve` is PyYAML's own only while these stay empty.
    assert None not in yaml.CSafeLoader.yaml_implicit_resolvers
    assert not yaml.CSafeLoader.yaml_path_resolvers
