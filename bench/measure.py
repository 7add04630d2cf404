"""Wall time and peak memory of a command, measured in a fresh child process.

Each command runs under a small Python parent that waits for it and reads `RUSAGE_CHILDREN`, so the
peak resident set is that command's own (and its children's), not the benchmark runner's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_PROBE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
tail = done.stdout.decode("utf-8", "replace")[-2000:]
print(json.dumps({"wall": wall, "peak_kib": peak_kib, "code": done.returncode, "tail": tail}))
"""


@dataclass(frozen=True)
class Measurement:
    """One run of one command."""

    wall_seconds: float
    peak_mib: float
    exit_code: int
    output_tail: str


def measure(command: list[str], cwd: Path | None = None) -> Measurement:
    """Run `command` once and measure it."""
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, *command], cwd=cwd, check=True, capture_output=True, text=True
    )
    data = json.loads(probe.stdout.strip().splitlines()[-1])
    return Measurement(data["wall"], data["peak_kib"] / 1024, data["code"], data["tail"])


def best_of(command: list[str], runs: int = 3, cwd: Path | None = None) -> Measurement:
    """The fastest of `runs` runs (less noise from the machine), with the largest peak memory seen."""
    results = [measure(command, cwd) for _ in range(runs)]
    fastest = min(results, key=lambda m: m.wall_seconds)
    return Measurement(fastest.wall_seconds, max(m.peak_mib for m in results), fastest.exit_code, fastest.output_tail)


def table(rows: list[list[str]], header: list[str]) -> str:
    """A Markdown table, for the terminal and for pasting into the docs."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])
