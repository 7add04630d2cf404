"""The service benchmark's outputs: the profile summary, the tables and the chart, from made-up runs."""

from __future__ import annotations

from pathlib import Path

from bench.service import chart
from bench.service.profile import part_of, render, summarise
from bench.service.report import Point, render_points, verdicts
from bench.service.results import Sample, percentile
from bench.service.wrk import WrkRun

_MAIN = "thread (1): MainThread;run (uvicorn/server.py:1)"
_RAW = f"""{_MAIN};execute (sqlalchemy/engine/base.py:1) 30
{_MAIN};execute (sqlalchemy/engine/base.py:1);do_execute (sqlalchemy/engine/default.py:1192) 20
{_MAIN};handle (h11/_connection.py:1) 10
thread (1): MainThread;redeem (dataservices/coupon/api.py:1);dumps (json/encoder.py:1) 5
thread (1): MainThread;mystery (somewhere.py:1) 5
"""


def test_a_profile_is_summed_by_the_innermost_part_of_the_code_it_belongs_to() -> None:
    profile = summarise(_RAW, seconds=1, rate=100)
    assert profile.samples == 70
    assert profile.busy == 0.7
    assert profile.parts["SQLAlchemy (statements, compile cache, session, results)"] == 30
    assert profile.parts["SQLite itself (statements, commits)"] == 20
    assert profile.parts["HTTP parsing and writing (h11, uvicorn)"] == 10
    assert profile.parts["JSON encoding and decoding"] == 5
    assert profile.parts["other"] == 5
    assert "GIL held 70% of the time" in render(profile)
    assert part_of([]) == "other"


def _point(
    scenario: str,
    connections: int,
    rate: float,
    p99: float,
    direct: Sample | None,
    workers: int = 1,
    engine: str = "SQLite",
) -> Point:
    answered = round(rate * 8)
    run = WrkRun(8.0, answered, answered, {201: answered}, {"timeout": 0}, p99 / 2, p99, p99, p99)
    return Point(scenario, connections, run, 0.9, 1.2, direct, (), workers, engine)


def test_tables_verdicts_and_chart_come_from_the_points(tmp_path: Path) -> None:
    direct = Sample(succeeded=8000, seconds=4.0, p50_ms=0.5, p99_ms=2.0)
    points = [
        _point("redeem, 1,000 coupons", 8, 1000, 40, direct),
        _point("redeem, 1,000 coupons", 64, 700, 150, direct),
        _point("redeem, one hot coupon", 64, 800, 90, direct),
        _point("read by id", 16, 2000, 10, Sample(1000, 1.0, 0.01, 0.02)),
        _point("redeem, 1,000 coupons", 64, 1600, 60, direct, workers=2),
        _point("redeem, 1,000 coupons", 8, 300, 20, Sample(4000, 4.0, 1.0, 3.0), engine="PostgreSQL"),
    ]
    text = render_points(points)
    assert "| SQLite     | redeem, 1,000 coupons  | 1       | 8     | 1,000   |" in text
    assert "| SQLite     | redeem, 1,000 coupons  | 2       | 64    | 1,600   |" in text
    assert "| PostgreSQL | redeem, 1,000 coupons  | 1       | 8     | 300     |" in text
    assert "0.500 (1/2)" in text
    assert "0.300 (1/3)" in text  # each row against its own engine's baseline
    lines = verdicts(points, [])
    assert lines[0].startswith("- SQLite, 1 worker: HTTP at least 1/3")
    assert lines[0].endswith(": met")  # 1000/2000 and 700/2000 and 800/2000 are all above 1/3
    assert "redeem, 1,000 coupons: 150 ms" in lines[1]
    assert lines[1].endswith("MISSED")
    assert lines[2].endswith(": met")
    # Each worker count is judged on its own points: two workers meet the p99 target that one misses.
    two = [line for line in lines if line.startswith("- SQLite, 2 workers: ")]
    assert [line.endswith(": met") for line in two] == [True, True]
    # Each engine is judged on its own points: 300/1000 is below 1/3.
    postgres = [line for line in lines if line.startswith("- PostgreSQL, 1 worker: ")]
    assert len(postgres) == 1
    assert "redeem, 1,000 coupons @8: 0.300" in postgres[0]
    assert postgres[0].endswith("MISSED")

    baselines = {"SQLite": "sqlite3, one connection", "PostgreSQL": "asyncpg, pool of 16"}
    png = chart.draw(points, baselines, "test chart", tmp_path / "chart.png")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.stat().st_size < 150_000


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50, 99, 100)
    assert percentile([], 50) != percentile([], 50)  # NaN
