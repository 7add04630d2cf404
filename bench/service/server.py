"""The coupon service as `make run` serves it: `dataservices serve coupon` in its own process, on a free port.

The benchmark measures that command, not an app it builds itself, so any change to how the CLI serves (HTTP
stack, event loop, workers, keep-alive) shows up in the figures. Only the database URL and the port differ from
`make run`; the server's request log goes to a file, as it would in production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dataservices.common.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
DATASERVICES = ROOT / ".venv" / "bin" / "dataservices"
HOST = "127.0.0.1"
# Start-up migrates the database and imports FastAPI, SQLAlchemy and the contract: a few seconds at most.
STARTUP_SECONDS = 60.0
# uvicorn finishes the requests it holds before it stops; after that it is killed.
SHUTDOWN_SECONDS = 20.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ServedService:
    """A running `dataservices serve` process: where it listens, its process id and its log."""

    url: str
    pid: int
    log: Path

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and every process it started."""
        return _tree_cpu_seconds(self.pid)


def _stat_fields(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; everything after its closing parenthesis is split safely.
    return text[text.rindex(")") + 2 :].split()


def _tree_cpu_seconds(root: int) -> float:
    """CPU seconds of `root` and its live descendants, plus children they already waited for."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(entry)
        if fields is None:
            continue
        # After the name: state, ppid, ... utime (14th field overall), stime, cutime, cstime.
        parents[int(entry)] = int(fields[1])
        ticks[int(entry)] = sum(int(value) for value in fields[11:15])
    family, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in family]
        family.update(children)
        frontier.extend(children)
    return sum(ticks.get(pid, 0) for pid in family) / _CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine have used since boot, summed over its cores (idle and I/O wait aside).

    Read before and after a run, it shows how much else ran meanwhile: this machine is shared, and a point measured
    while other work took a core is slower than the service is.
    """
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    # user nice system idle iowait irq softirq steal ...: busy is everything but idle, iowait and steal.
    user, nice, system, _idle, _iowait, irq, softirq = (int(value) for value in fields[:7])
    return (user + nice + system + irq + softirq) / _CLOCK_TICKS


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def served_coupon_service(
    environment: Mapping[str, str], workdir: Path, extra_arguments: tuple[str, ...] = ()
) -> Iterator[ServedService]:
    """Run `dataservices serve coupon` with `environment` added until the block ends; yield once it is ready."""
    if not DATASERVICES.exists():
        raise RuntimeError(f"{DATASERVICES} is missing: run `make setup` first")
    port = free_port()
    log = workdir / f"server-{port}.log"
    command = [str(DATASERVICES), "serve", "coupon", "--host", HOST, "--port", str(port), *extra_arguments]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env={**os.environ, **environment}, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT
        )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _ready(url):
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the server exited with {process.returncode} before it was ready:\n{tail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server was not ready after {STARTUP_SECONDS:.0f} s; see {log}")
            time.sleep(0.1)
        yield ServedService(url=url, pid=process.pid, log=log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(SHUTDOWN_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
