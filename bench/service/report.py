"""The service benchmark's results: one row per measured point, rendered as Markdown tables and target verdicts.

Throughput counts successful answers only; a point with any non-2xx answer, socket error, or a database that does
not match the answers is marked in its `check` column (and makes the benchmark exit 1), never folded into a rate.
Points of every engine measured in the run share one table; each row's direct figures are its own engine's
baseline, and targets are judged per engine and number of server processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.measure import table
from bench.service.burst import BurstResult
from bench.service.results import Sample
from bench.service.wrk import WrkRun

# The scenarios, as the tables and the chart name them.
SPREAD, HOT = "redeem, 1,000 coupons", "redeem, one hot coupon"
READ_ID, READ_CODE, LIVE = "read by id", "read by code", "GET /health/live"
REDEMPTIONS = (SPREAD, HOT)
READS = (READ_ID, READ_CODE)

# The targets of the service hot path (docs/performance.md lists them with their reasons).
MIN_RATIO = 1 / 3
MAX_P99_MS_AT_64 = 100.0
MAX_BURST_SECONDS = 3.0
MIN_READS_PER_SECOND = 1500.0


@dataclass(frozen=True)
class Point:
    """One HTTP measurement, the direct baseline it is compared with (if any), and its checks."""

    scenario: str
    connections: int
    http: WrkRun
    server_cores: float  # CPU seconds the server used per second of the run
    machine_cores: float  # the same for every process of the machine (server, wrk and anything else)
    direct: Sample | None
    problems: tuple[str, ...]
    workers: int = 1  # server processes (`dataservices serve --workers`)
    engine: str = "SQLite"  # the database engine's label (`Engine.label`)

    @property
    def ratio(self) -> float:
        """HTTP throughput over the direct baseline's (NaN without a baseline)."""
        if self.direct is None or not self.direct.rate:
            return math.nan
        return self.http.sample().rate / self.direct.rate


@dataclass(frozen=True)
class Burst:
    """The burst and what the database held after it."""

    result: BurstResult
    limit: int
    confirmed: int
    rows: int
    workers: int = 1
    engine: str = "SQLite"

    @property
    def problems(self) -> tuple[str, ...]:
        found = []
        outcomes = self.result.outcomes
        expected = {"201": self.limit, "409 COUPON_EXHAUSTED": len(self.result.answers) - self.limit}
        if dict(outcomes) != {key: count for key, count in expected.items() if count}:
            found.append(f"answers {dict(outcomes)}, expected {expected}")
        if not self.confirmed == self.rows == self.limit:
            found.append(f"database holds {self.rows} redemptions, counter {self.confirmed}; limit {self.limit}")
        return tuple(found)


def _rate(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}"


def _ms(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.3f} (1/{1 / value:.0f})" if 0 < value < 1 else f"{value:.3f}"


def _errors(run: WrkRun) -> str:
    non_2xx = {status: count for status, count in run.statuses.items() if not 200 <= status < 300}
    parts = [f"{count} x {status}" for status, count in sorted(non_2xx.items())]
    parts += [f"{count} {kind}" for kind, count in run.socket_errors.items() if count]
    return ", ".join(parts) or "0"


def render_points(points: list[Point]) -> str:
    """The Markdown table of HTTP points against their engine's direct baseline."""
    rows = []
    for point in points:
        http = point.http.sample()
        direct = point.direct
        rows.append(
            [
                point.engine,
                point.scenario,
                str(point.workers),
                str(point.connections),
                _rate(http.rate),
                _ms(http.p50_ms),
                _ms(http.p99_ms),
                f"{point.server_cores:.2f} / {point.machine_cores:.2f}",
                _rate(direct.rate) if direct else "-",
                _ms(direct.p50_ms) if direct else "-",
                _ms(direct.p99_ms) if direct else "-",
                _ratio(point.ratio),
                _errors(point.http),
                "; ".join(point.problems) or "ok",
            ]
        )
    header = [
        "engine",
        "scenario",
        "workers",
        "conns",
        "HTTP /s",
        "HTTP p50 ms",
        "HTTP p99 ms",
        "cores: server / machine",
        "direct /s",
        "direct p50 ms",
        "direct p99 ms",
        "HTTP/direct",
        "non-2xx, errors",
        "check",
    ]
    return table(rows, header)


def render_bursts(bursts: list[Burst]) -> str:
    """The bursts, one Markdown table row each."""
    rows = []
    for burst in bursts:
        result = burst.result
        outcomes = ", ".join(f"{count} x {outcome}" for outcome, count in sorted(result.outcomes.items()))
        rows.append(
            [
                burst.engine,
                str(burst.workers),
                str(len(result.answers)),
                str(burst.limit),
                f"{result.seconds:.2f}",
                _ms(result.latency_ms(50)),
                _ms(result.latency_ms(99)),
                outcomes,
                f"{burst.rows} rows, counter {burst.confirmed}",
                "; ".join(burst.problems) or "ok",
            ]
        )
    header = [
        "engine",
        "workers",
        "requests",
        "limit",
        "all answered s",
        "p50 ms",
        "p99 ms",
        "answers",
        "database",
        "check",
    ]
    return table(rows, header)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def workers_label(workers: int) -> str:
    return f"{workers} worker{'' if workers == 1 else 's'}"


def verdicts(points: list[Point], bursts: list[Burst]) -> list[str]:
    """The targets, each with the figures it was judged on, for each engine and number of server processes."""
    lines = []
    engines = list(dict.fromkeys([point.engine for point in points] + [burst.engine for burst in bursts]))
    for engine in engines:
        runs = {point.workers for point in points if point.engine == engine}
        runs |= {burst.workers for burst in bursts if burst.engine == engine}
        for workers in sorted(runs):
            mine = [point for point in points if (point.engine, point.workers) == (engine, workers)]
            burst = next((burst for burst in bursts if (burst.engine, burst.workers) == (engine, workers)), None)
            lines += [f"- {engine}, {workers_label(workers)}: {line[2:]}" for line in _verdicts(mine, burst)]
    return lines


def _verdicts(points: list[Point], burst: Burst | None) -> list[str]:
    lines = []
    redemptions = [p for p in points if p.direct is not None and p.scenario in REDEMPTIONS]
    judged = [p for p in redemptions if p.connections in (8, 64)]
    if judged:
        figures = ", ".join(f"{p.scenario} @{p.connections}: {p.ratio:.3f}" for p in judged)
        met = all(p.ratio >= MIN_RATIO for p in judged)
        lines.append(f"- HTTP at least 1/3 of the direct rate ({figures}): {_verdict(met)}")
    at_64 = [p for p in redemptions if p.connections == 64]
    if at_64:
        figures = ", ".join(f"{p.scenario}: {_ms(p.http.p99_ms)} ms" for p in at_64)
        met = all(p.http.p99_ms <= MAX_P99_MS_AT_64 for p in at_64)
        lines.append(f"- p99 at most {MAX_P99_MS_AT_64:.0f} ms at 64 connections ({figures}): {_verdict(met)}")
    if burst is not None:
        met = burst.result.seconds <= MAX_BURST_SECONDS and not burst.problems
        lines.append(
            f"- burst of {len(burst.result.answers)} all answered within {MAX_BURST_SECONDS:.0f} s, invariants "
            f"intact ({burst.result.seconds:.2f} s, {'intact' if not burst.problems else 'BROKEN'}): {_verdict(met)}"
        )
    reads = [p for p in points if p.scenario in READS]
    if reads:
        figures = ", ".join(f"{p.scenario}: {p.http.sample().rate:,.0f}/s" for p in reads)
        met = all(p.http.sample().rate >= MIN_READS_PER_SECOND for p in reads)
        lines.append(f"- authenticated reads at least {MIN_READS_PER_SECOND:,.0f}/s ({figures}): {_verdict(met)}")
    return lines
