"""JSON pointer helpers: escaping, splitting, resolving."""

from __future__ import annotations

import pytest

from contractkit.loading import pointer


@pytest.mark.parametrize(
    ("token", "escaped"),
    [("plain", "plain"), ("/v1/coupons", "~1v1~1coupons"), ("a~b", "a~0b"), ("~1", "~01"), ("", "")],
)
def test_escape_round_trips(token: str, escaped: str) -> None:
    assert pointer.escape(token) == escaped
    assert pointer.unescape(escaped) == token


def test_split_and_join_are_inverse() -> None:
    tokens = ["paths", "/v1/coupons/{couponId}", "get", "responses", "200"]
    text = pointer.join(tokens)
    assert text == "/paths/~1v1~1coupons~1{couponId}/get/responses/200"
    assert pointer.split(text) == tokens
    assert pointer.split("") == []


def test_split_rejects_relative_pointers() -> None:
    with pytest.raises(ValueError, match="must be empty or start with '/'"):
        pointer.split("paths")


def test_parent_and_child() -> None:
    assert pointer.child("/paths", "/v1/x") == "/paths/~1v1~1x"
    assert pointer.parent("/paths/~1v1~1x") == "/paths"
    assert pointer.parent("") == ""


def test_resolve_reports_how_deep_it_got() -> None:
    data = {"a": [{"b": 1}]}
    assert pointer.resolve(data, ["a", "0", "b"]) == 1
    with pytest.raises(pointer.PointerError) as caught:
        pointer.resolve(data, ["a", "0", "c"])
    assert caught.value.depth == 2
    assert caught.value.pointer == "/a/0/c"


@pytest.mark.parametrize("index", ["01", "-1", "1", "x"])
def test_resolve_rejects_bad_array_indexes(index: str) -> None:
    with pytest.raises(pointer.PointerError):
        pointer.resolve({"a": [0]}, ["a", index])
