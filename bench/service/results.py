"""What one measured run produced, whatever drove it: a count over a duration and its latency percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..100) of values sorted ascending; NaN when there are none."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(share / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Sample:
    """Operations that succeeded over `seconds`, with latency percentiles in milliseconds."""

    succeeded: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        """Successful operations per second."""
        return self.succeeded / self.seconds if self.seconds > 0 else math.nan

    @classmethod
    def of_latencies(cls, latencies_ns: list[int], seconds: float) -> Sample:
        """A run in which every timed operation succeeded."""
        ordered = sorted(latencies_ns)
        return cls(len(ordered), seconds, percentile(ordered, 50) / 1e6, percentile(ordered, 99) / 1e6)
