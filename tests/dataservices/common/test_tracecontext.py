"""The W3C trace context of the work in progress: valid values kept, invalid ones replaced, calls get new parent ids."""

from __future__ import annotations

import re

import pytest

from dataservices.common.tracecontext import (
    child_traceparent,
    current_traceparent,
    new_traceparent,
    trace_id,
    use_traceparent,
    valid_traceparent,
)

VALID = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    "invalid",
    [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # all-zero parent id
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # a version this parser does not know
        "garbage",
        "",
    ],
)
def test_an_invalid_traceparent_starts_a_new_trace(invalid: str) -> None:
    with use_traceparent(invalid) as bound:
        inside = current_traceparent()

    assert valid_traceparent(invalid) is None
    assert inside == bound
    assert VALID.match(bound)
    assert trace_id(bound) not in invalid.lower()
    assert current_traceparent() is None  # unbound after the block


def test_a_valid_traceparent_is_kept_and_blocks_nest() -> None:
    with use_traceparent(f"  {TRACEPARENT} ") as outer:
        with use_traceparent(new_traceparent()) as inner:
            assert current_traceparent() == inner
        assert current_traceparent() == outer == TRACEPARENT


def test_a_call_gets_the_trace_and_flags_with_a_new_parent_id() -> None:
    children = {child_traceparent(TRACEPARENT) for _ in range(20)}

    assert all(VALID.match(child) for child in children)
    assert {trace_id(child) for child in children} == {"4bf92f3577b34da6a3ce929d0e0e4736"}
    assert {child[-3:] for child in children} == {"-01"}
    assert len({child[36:52] for child in children} | {"00f067aa0ba902b7"}) == 21


def test_new_traces_are_distinct_and_valid() -> None:
    traces = {new_traceparent() for _ in range(100)}

    assert len(traces) == 100
    assert all(VALID.match(trace) for trace in traces)
    assert new_traceparent(sampled=False).endswith("-00")
