"""The wrk driver: its generated Lua script really sends unique requests, and its output is read and cross-checked.

The live test runs Debian's wrk for one second against a small recording server on 127.0.0.1 (CI installs wrk);
it asserts what arrived and what was counted, never how fast.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.service.wrk import RESULT_MARKER, UNIQUE, RequestPlan, WrkError, lua_script, parse_output, run_wrk

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")


class _Recorder(BaseHTTPRequestHandler):
    """Answers 201 on /even and 409 on /odd, and records every request it saw."""

    seen: list[tuple[str, dict[str, str], bytes]]
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.lock:
            self.seen.append((self.path, dict(self.headers.items()), body))
        answer = b"{}"
        self.send_response(201 if self.path == "/even" else 409)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    seen: list[tuple[str, dict[str, str], bytes]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.protocol_version = "HTTP/1.1"
    handler.protocol_version = "HTTP/1.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@needs_wrk
def test_every_request_gets_its_own_key_and_body_and_answers_are_counted_by_status(
    recorder: tuple[str, list[tuple[str, dict[str, str], bytes]]], tmp_path: Path
) -> None:
    url, seen = recorder
    odd_value = 'quote " backslash \\ and a digit after an escape: "1'
    plan = RequestPlan(
        "POST",
        ("/even", "/odd"),
        "t1",
        {"Idempotency-Key": UNIQUE, "X-Odd": odd_value, "Content-Type": "application/json"},
        '{"orderId":"' + UNIQUE + '","fixed":{"amount":5000}}',
    )
    run = run_wrk(url, plan, connections=2, seconds=1, workdir=tmp_path)

    keys = [headers["Idempotency-Key"] for _path, headers, _body in seen]
    assert run.answered > 0
    assert len(keys) == len(set(keys)) >= run.answered
    assert all(key.startswith("t1-1-") for key in keys)
    for path, headers, body in seen:
        assert headers["X-Odd"] == odd_value
        assert json.loads(body) == {"orderId": headers["Idempotency-Key"], "fixed": {"amount": 5000}}
        assert path in ("/even", "/odd")
    evens = sum(1 for path, _headers, _body in seen if path == "/even")
    assert run.statuses.get(201, 0) <= evens <= run.statuses.get(201, 0) + run.unanswered
    assert run.succeeded == run.statuses.get(201, 0)
    assert run.failed == run.statuses.get(409, 0) > 0
    assert run.sent >= run.answered


def test_the_script_cycles_through_the_paths_and_escapes_strings() -> None:
    script = lua_script(RequestPlan("GET", ("/a", '/b"c'), "tag", {"Authorization": "Bearer x\\y"}))
    assert 'local paths = {\n  "/a",\n  "/b\\034c"\n}' in script
    assert '["Authorization"] = "Bearer x\\092y"' in script
    assert "paths[(n - 1) % #paths + 1]" in script
    with pytest.raises(ValueError, match="at least one path"):
        lua_script(RequestPlan("GET", (), "tag"))


_WRK_TEXT = """Running 8s test @ http://127.0.0.1:8081
  1 threads and 8 connections
  Latency Distribution
     50%  159.20ms
     99%  217.10ms
  380 requests in 8.00s, 190.00KB read
  Non-2xx or 3xx responses: 3
Requests/sec:     47.49
"""


def _result(statuses: dict[str, int], requests: int) -> str:
    data = {
        "duration_us": 8_001_000,
        "requests": requests,
        "sent": requests + 8,
        "statuses": statuses,
        "errors": {"connect": 0, "read": 1, "write": 0, "timeout": 2},
        "latency_us": {"p50": 159200, "p90": 190000, "p99": 217100, "max": 250000},
    }
    return RESULT_MARKER + json.dumps(data) + "\n"


def test_output_is_read_from_the_result_line_and_checked_against_wrk_summary() -> None:
    run = parse_output(_WRK_TEXT + _result({"201": 377, "500": 3}, 380))
    assert (run.answered, run.succeeded, run.sent, run.unanswered) == (380, 377, 388, 8)
    assert run.failed == 3 + 1 + 2  # three 500s, one read error, two timeouts
    assert (run.p50_ms, run.p99_ms) == (159.2, 217.1)
    assert run.sample().rate == pytest.approx(377 / 8.001)


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (_WRK_TEXT, "expected one"),
        (_WRK_TEXT + _result({"201": 380}, 380), "wrk reports 3 non-2xx"),
        (_WRK_TEXT + _result({"201": 370, "500": 3}, 380), "counted 373 answers, wrk 380"),
        (_WRK_TEXT + RESULT_MARKER + "{not json\n", "unreadable"),
    ],
)
def test_output_that_does_not_add_up_is_refused(output: str, message: str) -> None:
    with pytest.raises(WrkError, match=message):
        parse_output(output)
