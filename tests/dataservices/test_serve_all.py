"""`dataservices serve all --demo` (what `make run` runs): every registered service on its own port,
its own database, a banner whose lines work when pasted into a shell, and one Ctrl+C stops everything."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataservices.common.serving import free_port
from dataservices.registry import SERVICES

# A cold start of every service on a busy 2-core machine; the banner comes once all answer /health/ready.
BANNER_SECONDS = 120.0
STOP_SECONDS = 40.0


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@dataclass
class ServedAll:
    process: subprocess.Popen[str]
    ports: dict[str, int]
    banner: list[str]
    folder: Path


def _read_banner(process: subprocess.Popen[str]) -> list[str]:
    """The lines printed up to the banner's last one (read on a thread, so the wait has a deadline)."""
    assert process.stdout is not None
    stdout = process.stdout
    received: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [received.put(line) for line in stdout], daemon=True).start()
    lines: list[str] = []
    deadline = time.monotonic() + BANNER_SECONDS
    while not lines or lines[-1] != "Stop with Ctrl+C.":
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no banner after {BANNER_SECONDS} s: {lines}"
        try:
            lines.append(received.get(timeout=min(remaining, 1.0)).strip())
        except queue.Empty:
            assert process.poll() is None, f"serve all exited with {process.returncode}: {lines}"
    return lines


@contextmanager
def serving_all(folder: Path) -> Iterator[ServedAll]:
    """`dataservices serve all --demo` in `folder`, every service on a free port, until the block ends."""
    ports = {spec.name: free_port() for spec in SERVICES}
    environment = {name: value for name, value in os.environ.items() if not name.startswith("DATASERVICES_")}
    for spec in SERVICES:
        environment[f"{spec.env_prefix}PORT"] = str(ports[spec.name])
        environment[f"{spec.env_prefix}LOG_LEVEL"] = "warning"
    command = [sys.executable, "-m", "dataservices", "serve", "all", "--demo", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        command, cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        yield ServedAll(process, ports, _read_banner(process), folder)
    finally:
        if process.poll() is None:
            children = _children(process.pid)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                for pid in (process.pid, *children):
                    with suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def served_all_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedAll]:
    with serving_all(tmp_path_factory.mktemp("serve-all")) as served:
        yield served


@pytest.fixture
def served_all(tmp_path: Path) -> Iterator[ServedAll]:
    with serving_all(tmp_path) as served:
        yield served


@pytest.mark.slow
def test_every_service_runs_on_its_port_with_its_own_database(served_all_module: ServedAll) -> None:
    served = served_all_module
    for spec in SERVICES:
        base = f"http://127.0.0.1:{served.ports[spec.name]}"
        assert any(line.startswith(spec.title) and base in line for line in served.banner), served.banner
        assert (served.folder / "var" / f"{spec.name}.db").is_file()
    assert len(_children(served.process.pid)) == len(SERVICES)


@pytest.mark.slow
def test_the_banners_lines_work_when_pasted_into_a_shell(served_all_module: ServedAll) -> None:
    (export,) = [line for line in served_all_module.banner if line.startswith("export TOKEN=")]
    curls = [line for line in served_all_module.banner if line.startswith("curl ")]
    assert len(curls) >= len(SERVICES)
    for curl in curls:
        # The line as printed; curl prints the status after the body, so the test can read it.
        script = f"{export}\n{curl} -o /dev/null -w '%{{http_code}}'"
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout in {"200", "201"}, (curl, done.stdout)


@pytest.mark.slow
def test_one_signal_stops_every_service(served_all: ServedAll) -> None:
    children = _children(served_all.process.pid)
    served_all.process.send_signal(signal.SIGTERM)
    assert served_all.process.wait(STOP_SECONDS) == 0
    assert not any(Path(f"/proc/{child}").exists() for child in children)
    assert not any(_listening(port) for port in served_all.ports.values())


@pytest.mark.slow
def test_when_a_service_dies_the_others_are_stopped_and_the_command_fails(served_all: ServedAll) -> None:
    first, *_ = _children(served_all.process.pid)
    os.kill(first, signal.SIGKILL)
    assert served_all.process.wait(STOP_SECONDS) == 1
    assert not any(_listening(port) for port in served_all.ports.values())
