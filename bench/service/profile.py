"""Where the served service's time goes: a py-spy profile of the server under load, summed by what the code does.

py-spy samples the running server process without restarting it. `--nonblocking` keeps it from pausing the server
at each sample (pausing at 100-200 Hz cut the throughput by half and more), and `--gil` samples only the thread that
holds the GIL: the samples taken over those possible say how busy the interpreter was, and each sample is put in
the part of the stack it belongs to, judged by the innermost frame that matches one (so SQLAlchemy calling into
the driver counts as SQLite itself, and the service calling `json` counts as JSON).
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.measure import table

ROOT = Path(__file__).resolve().parents[2]
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
# Often enough to see a 1% share in a few seconds, rarely enough to cost the server little CPU.
SAMPLES_PER_SECOND = 100

# (part, substrings of a frame "function (file:line)" that belong to it); the first part that matches wins.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SQLite itself (statements, commits)", ("do_execute", "do_commit", "sqlite3")),
    ("database thread hand-off (queues, futures, wake-ups)", ("queue.py", "threading.py", "concurrent/futures/")),
    ("event loop waiting (epoll)", ("selectors.py",)),
    ("JWT verification", ("jwt/", "common/auth.py")),
    ("contract validation (jsonschema)", ("jsonschema", "referencing/", "rpds", "common/validation.py")),
    ("pydantic", ("pydantic",)),
    ("JSON encoding and decoding", ("json/",)),
    ("request logging (structlog)", ("structlog/", "logging/", "common/observability.py")),
    ("SQLAlchemy (statements, compile cache, session, results)", ("sqlalchemy",)),
    ("HTTP parsing and writing (h11, uvicorn)", ("h11/", "uvicorn/")),
    ("FastAPI, Starlette, AnyIO (routing, dependencies, threadpool)", ("fastapi/", "starlette/", "anyio/")),
    ("asyncio (tasks, callbacks)", ("asyncio/", "contextlib.py")),
    ("service code (dataservices)", ("dataservices/",)),
)


class ProfileError(RuntimeError):
    """py-spy is missing or failed."""


@dataclass(frozen=True)
class Profile:
    """GIL-holding samples of a server, by part of the code, and the innermost frames seen most."""

    samples: int
    possible: int
    parts: Counter[str]
    frames: Counter[str]

    @property
    def busy(self) -> float:
        """The share of the time some thread of the server held the GIL."""
        return self.samples / self.possible if self.possible else 0.0


def part_of(frames: list[str]) -> str:
    """The part of the code a stack (outermost frame first) is spending its time in."""
    for frame in reversed(frames):
        for part, markers in PARTS:
            if any(marker in frame for marker in markers):
                return part
    return "other"


def summarise(raw: str, seconds: float, rate: int = SAMPLES_PER_SECOND) -> Profile:
    """Sum py-spy's collapsed stacks (`--format raw`: "frame;frame;frame count" per line) by part."""
    parts: Counter[str] = Counter()
    frames: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        # With --threads the first element names the thread; the rest are frames, outermost first.
        stack_frames = [frame for frame in stack.split(";") if not frame.startswith("thread (")]
        parts[part_of(stack_frames)] += int(count)
        if stack_frames:
            frames[stack_frames[-1]] += int(count)
    return Profile(sum(parts.values()), round(seconds * rate), parts, frames)


def record(pid: int, seconds: float, output: Path, rate: int = SAMPLES_PER_SECOND) -> Profile:
    """Profile process `pid` for `seconds`, keep py-spy's raw stacks in `output`, and sum them."""
    if not PY_SPY.exists():
        raise ProfileError(f"{PY_SPY} is missing: run `make setup` (py-spy is a dev dependency)")
    command = [
        str(PY_SPY),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        str(rate),
        "--nonblocking",
        "--gil",
        "--threads",
        "--format",
        "raw",
        "--output",
        str(output),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise ProfileError(f"py-spy exited {done.returncode}: {done.stderr.strip()}")
    return summarise(output.read_text(encoding="utf-8"), max(1, round(seconds)), rate)


def render(profile: Profile, top_frames: int = 12) -> str:
    """The profile as two Markdown tables: shares by part, then the innermost frames seen most."""
    total = profile.samples or 1
    by_part = [[part, f"{count / total:.1%}"] for part, count in profile.parts.most_common()]
    by_frame = [[frame, f"{count / total:.1%}"] for frame, count in profile.frames.most_common(top_frames)]
    lines = [
        f"GIL held {profile.busy:.0%} of the time ({profile.samples} of {profile.possible} possible samples).",
        "",
        table(by_part, ["part of the code (innermost matching frame)", "share of GIL-holding samples"]),
        "",
        table(by_frame, ["innermost frame", "share"]),
    ]
    return "\n".join(lines)
