"""How a kit run is set up: where the implementation is and how hard to push it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Simultaneous requests in each concurrency promise: enough to make races likely on any server,
# bounded so a run stays short and never floods a shared environment.
DEFAULT_BURST = 200
# Longer than any answer a healthy implementation gives under a burst; a request past it breaks the
# promise it belongs to (a service must answer, with a 503 if it must, never hang).
DEFAULT_TIMEOUT_SECONDS = 30.0
# One promise never runs longer than this, whatever the implementation does.
PROMISE_DEADLINE_SECONDS = 300.0


@dataclass(frozen=True)
class KitOptions:
    """Options of one kit run."""

    base_url: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    burst: int = DEFAULT_BURST
    # Run only these promise ids (all when empty).
    only: frozenset[str] = frozenset()
    # Promise id -> why the implementation is known to break it (see `expected_failures.py`).
    expected_failures: Mapping[str, str] = field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.burst < 2:
            raise ValueError("burst must be at least 2")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
