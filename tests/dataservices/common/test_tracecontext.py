"""The W3C trace of the work in progress: valid values kept, invalid ones replaced, each call a new parent id."""

from __future__ import annotations

import re

import pytest

from dataservices.common.tracecontext import (
    current_trace,
    new_traceparent,
    outgoing_traceparent,
    parse_traceparent,
    use_traceparent,
)

VALID = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


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
        inside = current_trace()

    assert parse_traceparent(invalid) is None
    assert inside == bound
    assert re.fullmatch("[0-9a-f]{32}", bound[0])
    assert bound[0] not in invalid.lower()
    assert current_trace() is None  # unbound after the block


def test_a_valid_traceparent_is_kept_and_blocks_nest() -> None:
    with use_traceparent(f"  {TRACEPARENT} ") as outer:
        with use_traceparent(new_traceparent()) as inner:
            assert current_trace() == inner != outer
        assert current_trace() == outer == (TRACE_ID, "01")


def test_each_call_gets_the_trace_and_flags_with_a_new_parent_id() -> None:
    assert outgoing_traceparent() is None  # outside a trace, calls send none

    with use_traceparent(TRACEPARENT):
        sent = {outgoing_traceparent() for _ in range(20)}

    assert all(value is not None and VALID.match(value) for value in sent)
    assert {value.split("-")[1] for value in sent if value} == {TRACE_ID}
    assert {value.split("-")[3] for value in sent if value} == {"01"}
    assert len({value.split("-")[2] for value in sent if value} | {"00f067aa0ba902b7"}) == 21


def test_new_traces_are_distinct_and_valid() -> None:
    traces = {new_traceparent() for _ in range(100)}

    assert len(traces) == 100
    assert all(VALID.match(trace) for trace in traces)
    assert new_traceparent(sampled=False).endswith("-00")
