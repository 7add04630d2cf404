"""The service benchmark's chart: throughput and p99 against connections, HTTP against each engine's direct baseline.

Both axes of values are logarithmic: the service and its database can be two orders of magnitude apart, and both
lines must stay readable as they come closer. A direct baseline runs at one concurrency whatever the HTTP
concurrency (one connection on SQLite, a pool on PostgreSQL), so it is drawn as a level line in its engine's
colour. Rendered with matplotlib's Agg backend at a size that keeps the PNG well under 150 KB.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: render straight to a file

import matplotlib.pyplot as plt
from matplotlib.artist import Artist

from bench.service.report import HOT, MAX_P99_MS_AT_64, MIN_RATIO, SPREAD, Point, workers_label

# A colour per engine and scenario: SQLite in blue and orange, PostgreSQL in green and purple.
_COLOURS = {
    ("SQLite", SPREAD): "#3949ab",
    ("SQLite", HOT): "#e65100",
    ("PostgreSQL", SPREAD): "#2e7d32",
    ("PostgreSQL", HOT): "#8e24aa",
}
_OTHER_COLOUR = "#546e7a"
# One worker process: solid line, round markers; more: dash-dot, square markers.
_STYLES = {1: "o-"}
_MORE_WORKERS_STYLE = "s-."


def _colour(engine: str, scenario: str) -> str:
    return _COLOURS.get((engine, scenario), _OTHER_COLOUR)


def draw(points: list[Point], baselines: dict[str, str], title: str, target: Path) -> Path:
    """Write the chart of the redemption points to `target` (PNG) and return its path.

    `baselines` names each engine's direct baseline, by the engine's label.
    """
    figure, (rates, tails) = plt.subplots(1, 2, figsize=(10, 5.2), dpi=100)
    engines = list(dict.fromkeys(point.engine for point in points))
    for engine in engines:
        for scenario in (SPREAD, HOT):
            mine = [p for p in points if p.engine == engine and p.scenario == scenario]
            if not mine:
                continue
            colour = _colour(engine, scenario)
            for workers in sorted({p.workers for p in mine}):
                series = sorted((p for p in mine if p.workers == workers), key=lambda p: p.connections)
                connections = [p.connections for p in series]
                style = _STYLES.get(workers, _MORE_WORKERS_STYLE)
                label = f"HTTP, {engine}, {scenario}, {workers_label(workers)}"
                rates.plot(connections, [p.http.sample().rate for p in series], style, color=colour, label=label)
                tails.plot(connections, [p.http.p99_ms for p in series], style, color=colour, label=label)
            direct = mine[0].direct
            if direct is None:
                continue
            label = f"{baselines.get(engine, 'direct')}, {engine}, {scenario}"
            rates.axhline(direct.rate, color=colour, linestyle="--", linewidth=1, label=label)
            tails.axhline(direct.p99_ms, color=colour, linestyle="--", linewidth=1, label=label)
            if scenario == SPREAD:
                rates.axhline(direct.rate * MIN_RATIO, color=colour, linestyle=":", linewidth=1,
                              label=f"target: 1/3 of the direct rate, {engine}")  # fmt: skip
    tails.axhline(MAX_P99_MS_AT_64, color="#888888", linestyle=":", linewidth=1, label="p99 target, 100 ms")
    ticks = sorted({p.connections for p in points if p.scenario in (SPREAD, HOT)})
    for axes, label in ((rates, "successful redemptions per second"), (tails, "p99 latency, ms")):
        axes.set_xscale("log", base=2)
        axes.set_yscale("log")
        axes.set_xticks(ticks, [str(tick) for tick in ticks])
        axes.set_xlabel("concurrent connections")
        axes.set_ylabel(label)
        axes.grid(True, which="both", alpha=0.3)
    # One legend for both panels, under them, so no line is hidden behind it.
    legend: dict[str, Artist] = {}
    for axes in (rates, tails):
        for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    figure.legend(list(legend.values()), list(legend.keys()), loc="lower center", ncol=2, fontsize=6, frameon=False)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0.24, 1, 1))
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, format="png")
    plt.close(figure)
    return target
