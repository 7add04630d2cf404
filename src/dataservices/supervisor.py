"""`dataservices serve all`: every registered service in its own process, on its own port, as one command.

Each service runs exactly as `dataservices serve NAME` runs it (a child process per service, with its
own database, settings and worker processes), so serving them together changes nothing about how one is
served. The supervisor waits until every service is ready, stops all of them when it is told to stop
(Ctrl+C or SIGTERM) and stops the others when one of them exits on its own.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

import httpx

# A cold start imports FastAPI, SQLAlchemy and the contract's validators: seconds on a busy machine.
READY_SECONDS = 60.0
# uvicorn finishes the requests in flight before it exits; no service should take longer.
STOP_SECONDS = 30.0
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Child:
    """One service to run: its name, the address it will answer on, its extra environment and arguments."""

    name: str
    url: str
    environment: Mapping[str, str]
    arguments: Sequence[str]


class ServiceExited(RuntimeError):
    """A service stopped before it was asked to."""


def run_all(children: Sequence[Child], environment: Mapping[str, str], on_ready: Callable[[], None]) -> int:
    """Start every child, call `on_ready` once all answer `/health/ready`, run until stopped; the exit code."""
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop_requested.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for child in children:
            command = [sys.executable, "-m", "dataservices", "serve", child.name, *child.arguments]
            processes[child.name] = subprocess.Popen(command, env={**environment, **child.environment})
        _wait_until_ready(children, processes, stop_requested)
        if not stop_requested:
            on_ready()
        while not stop_requested:
            _check_running(processes)
            time.sleep(POLL_SECONDS)
        return 0
    except ServiceExited as exc:
        print(f"serve all: {exc}; stopping the others", file=sys.stderr)
        return 1
    finally:
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _check_running(processes: Mapping[str, subprocess.Popen[bytes]]) -> None:
    for name, process in processes.items():
        if process.poll() is not None:
            raise ServiceExited(f"{name} exited with {process.returncode}")


def _wait_until_ready(
    children: Sequence[Child], processes: Mapping[str, subprocess.Popen[bytes]], stop_requested: list[int]
) -> None:
    deadline = time.monotonic() + READY_SECONDS
    waiting = list(children)
    with httpx.Client(timeout=2.0) as client:
        while waiting and not stop_requested:
            _check_running(processes)
            try:
                if client.get(f"{waiting[0].url}/health/ready").status_code == 200:
                    waiting.pop(0)
                    continue
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise ServiceExited(f"{waiting[0].name} was not ready after {READY_SECONDS:.0f} s")
            time.sleep(POLL_SECONDS)


def _stop(processes: Mapping[str, subprocess.Popen[bytes]]) -> None:
    # SIGTERM is a graceful stop for uvicorn, also after the Ctrl+C the terminal sent the whole group.
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes.values():
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
