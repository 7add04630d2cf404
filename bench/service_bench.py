"""`make bench` for the coupon service: its HTTP throughput against the same work through the database's own driver.

In one run, for each engine of `--engine` (SQLite, as `make run` uses it, then PostgreSQL with a streaming replica),
on fresh databases the service's migrations made:

1. the direct baseline: the redemption transaction and the coupon reads through the engine's plain client
   (`sqlite3`, one connection in a loop; asyncpg with a pool on PostgreSQL) on a copy of the seeded data;
2. for each of `--workers` (1 and 2 by default), `dataservices serve coupon --workers N` on its own freshly seeded
   database, started as `make run` starts it, and driven with wrk: redemptions spread over 1,000 coupons at each
   of `--connections`, redemptions of one hot coupon at `--hot-connections`, reads by id and by code and
   `GET /health/live` at `--read-connections`; every redemption carries its own Idempotency-Key, user and order,
   and every run is checked against the database afterwards;
3. on each server, a burst of `--burst` simultaneous redemptions of one coupon with a total limit of 100.

It prints one Markdown table of every engine's points (throughput, p50, p99, HTTP/direct), the bursts and the
targets, writes them to `bench/.cache/results-service-<engines>.md` and draws one chart of them to
`bench/.cache/service-<engines>.png`. The run is bounded: a point that would end after `--budget-seconds` is
skipped and listed as skipped. It exits 1 when a check fails (an error answer, a database that disagrees with the
answers, a broken burst invariant) or an engine could not be measured, and with `--strict` also when a target is
missed.

    python -m bench.service_bench                                  # both engines, about eight minutes
    python -m bench.service_bench --engine sqlite                  # SQLite only, about four
    python -m bench.service_bench --seconds 3 --connections 8 64 --workers 1   # a quicker look
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from bench.cache import CACHE
from bench.service import chart, data
from bench.service.burst import redemption_burst
from bench.service.engines import ENGINES, Engine
from bench.service.profile import Profile, ProfileError
from bench.service.profile import record as record_profile
from bench.service.profile import render as render_profile
from bench.service.report import (
    HOT,
    LIVE,
    READ_CODE,
    READ_ID,
    SPREAD,
    Burst,
    Point,
    render_bursts,
    render_points,
    verdicts,
    workers_label,
)
from bench.service.results import Sample
from bench.service.server import ServedService, machine_busy_seconds, served_coupon_service
from bench.service.sqlite_direct import CLIENT_ID
from bench.service.wrk import UNIQUE, RequestPlan, WrkError, WrkRun, run_wrk, wrk_binary
from dataservices.common.auth import issue_development_token
from dataservices.common.settings import AuthSettings
from dataservices.pgpair import PostgresError

REDEMPTION_BODY = (
    '{"userId":"' + UNIQUE + '","orderId":"' + UNIQUE + '","orderAmount":{"amount":5000,"currency":"EUR"}}'
)
# Long enough for a warm-up run and all measured runs, with room for a slow machine.
TOKEN_SECONDS = 3600
# After wrk stops, requests it left unanswered may still commit; the check waits for them this long at most.
SETTLE_SECONDS = 30.0
# The whole service benchmark, both engines: about eight minutes on the development machine, so this leaves room
# for a slow or busy one while a hang of something unbounded still ends the run.
BUDGET_SECONDS = 900.0
# What a burst is allowed of the budget: today's service answers 1,000 redemptions in about 10 s.
BURST_BUDGET_SECONDS = 30.0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _tag(prefix: str) -> str:
    # Tags prefix keys and orders, and are matched with LIKE: letters, digits and dashes only.
    return f"{prefix}-{secrets.token_hex(3)}"


def settled_outcome(url: str, tag: str) -> data.RunOutcome:
    """The run's outcome once no request of it is still in flight (or after SETTLE_SECONDS)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    outcome = data.run_outcome(url, tag)
    while outcome.in_flight and time.monotonic() < deadline:
        time.sleep(0.2)
        outcome = data.run_outcome(url, tag)
    return outcome


def redemption_plan(token: str, coupon_ids: tuple[str, ...], tag: str) -> RequestPlan:
    """Redemptions of the coupons in turn, each with its own Idempotency-Key, user and order (`tag-...`)."""
    paths = tuple(f"/v1/coupons/{coupon_id}/redemptions" for coupon_id in coupon_ids)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": UNIQUE}
    return RequestPlan("POST", paths, tag, headers, REDEMPTION_BODY)


def redemption_problems(run: WrkRun, outcome: data.RunOutcome) -> list[str]:
    """What is wrong with a redemption run, judged against what it left in the database."""
    problems = []
    if run.failed:
        problems.append(f"{run.failed} requests failed")
    if outcome.in_flight:
        problems.append(f"{outcome.in_flight} keys still in flight")
    if outcome.completed_201 != outcome.redemptions:
        problems.append(f"{outcome.redemptions} redemptions but {outcome.completed_201} stored 201 answers")
    # Requests wrk sent but stopped waiting for may still have committed: at most `unanswered` more rows.
    if not run.succeeded <= outcome.redemptions <= run.succeeded + run.unanswered:
        problems.append(
            f"{outcome.redemptions} redemptions for {run.succeeded} answers 201 "
            f"(+{run.unanswered} unanswered when the run stopped)"
        )
    return problems


class Bench:
    """One run of the benchmark on one engine: its databases, its server and its results."""

    def __init__(self, engine: Engine, options: argparse.Namespace, workdir: Path, deadline: float) -> None:
        self.engine = engine
        self.options = options
        self.workdir = workdir
        self.deadline = deadline  # time.monotonic() after which no point may still run
        self.points: list[Point] = []
        self.bursts: list[Burst] = []
        self.skipped: list[str] = []
        self.profile: Profile | None = None
        scopes = ["coupon:read", "coupon:write", "coupon:redeem"]
        self.token = issue_development_token(AuthSettings(), scopes, subject=CLIENT_ID, ttl_seconds=TOKEN_SECONDS)
        self.auth = {"Authorization": f"Bearer {self.token}"}

    def run(self) -> None:
        """Measure the baseline on one database, then serve a fresh one per worker count and measure it over HTTP."""
        wrk_binary()  # a missing wrk fails the run before the seeding, not after it
        engine = self.engine
        direct: dict[str, Sample] = {}
        if not self.options.profile_only:
            _progress(f"seeding {data.SPREAD_COUPONS + 2} coupons ({engine.title})...")
            direct_url = engine.new_database("direct")
            direct = self._baselines(direct_url, data.migrate_and_seed(direct_url))
        for workers in [1] if self.options.profile_only else self.options.workers:
            if not self._time_for(self.options.seconds, f"everything with {workers_label(workers)}"):
                continue
            _progress(f"seeding {data.SPREAD_COUPONS + 2} coupons ({engine.title})...")
            served_url = engine.new_database(f"served-{workers}")
            served = data.migrate_and_seed(served_url)
            _progress(f"serving: dataservices serve coupon --workers {workers} ({engine.title})...")
            environment = engine.server_environment(served_url)
            with served_coupon_service(environment, self.workdir, ("--workers", str(workers))) as server:
                # The first requests of fresh processes pay for imports and caches; they are not measured.
                run_wrk(server.url, self._redemptions((served.hot_id,), _tag("warmup")), connections=8, seconds=2,
                        workdir=self.workdir)  # fmt: skip
                if not self.options.profile_only:
                    self._measure(server, served_url, served, direct, workers)
                if workers == 1 and (self.options.profile or self.options.profile_only):
                    self.profile = self._profile(server, served)

    def _baselines(self, url: str, copy: data.SeededCoupons) -> dict[str, Sample]:
        _progress(f"direct baseline ({self.engine.baseline})...")
        engine, seconds = self.engine, self.options.direct_seconds
        spread_tag, hot_tag = _tag("direct-spread"), _tag("direct-hot")
        measures: dict[str, Callable[[], Sample]] = {
            SPREAD: lambda: engine.direct_redemptions(url, copy.spread_ids, spread_tag, seconds),
            HOT: lambda: engine.direct_redemptions(url, (copy.hot_id,), hot_tag, seconds),
            READ_ID: lambda: engine.direct_reads(url, "id", copy.spread_ids, seconds),
            READ_CODE: lambda: engine.direct_reads(url, "code", copy.spread_codes, seconds),
        }
        samples = {}
        for name, measure in measures.items():
            samples[name] = measure()
            _progress(f"  {name}: {samples[name].rate:,.0f}/s, p99 {samples[name].p99_ms:.2f} ms")
        for name, tag in ((SPREAD, spread_tag), (HOT, hot_tag)):
            outcome = data.run_outcome(url, tag)
            if not outcome.redemptions == outcome.completed_201 == samples[name].succeeded:
                raise RuntimeError(f"the baseline of {name} left {outcome}, not {samples[name].succeeded} of each")
        return samples

    def _time_for(self, seconds: float, what: str) -> bool:
        """Whether `seconds` more fit in the run's budget; if not, `what` is recorded as skipped."""
        if time.monotonic() + seconds <= self.deadline:
            return True
        self.skipped.append(f"{self.engine.label}: {what}")
        _progress(f"  skipped, the budget of --budget-seconds has run out: {what}")
        return False

    def _measure(
        self, server: ServedService, url: str, served: data.SeededCoupons, direct: dict[str, Sample], workers: int
    ) -> None:
        by_id = tuple(f"/v1/coupons/{coupon_id}" for coupon_id in served.spread_ids)
        by_code = tuple(f"/v1/coupons?code={code}" for code in served.spread_codes)
        reads = self.options.read_connections
        points: list[tuple[str, int, Callable[[], Point]]] = []
        for connections in self.options.connections:
            redeem = partial(self._redeem, server, url, SPREAD, served.spread_ids, connections, direct[SPREAD])
            points.append((SPREAD, connections, redeem))
        for connections in self.options.hot_connections:
            redeem = partial(self._redeem, server, url, HOT, (served.hot_id,), connections, direct[HOT])
            points.append((HOT, connections, redeem))
        points += [
            (READ_ID, reads, partial(self._read, server, READ_ID, by_id, direct[READ_ID])),
            (READ_CODE, reads, partial(self._read, server, READ_CODE, by_code, direct[READ_CODE])),
            (LIVE, reads, partial(self._read, server, LIVE, ("/health/live",), None, False)),
        ]
        for name, connections, measure in points:
            if self._time_for(self.options.seconds, f"{name} @{connections}, {workers_label(workers)}"):
                self.points.append(replace(measure(), workers=workers, engine=self.engine.label))
        if self.options.burst and self._time_for(BURST_BUDGET_SECONDS, f"the burst, {workers_label(workers)}"):
            burst = self._burst(server, url, served.burst_id)
            self.bursts.append(replace(burst, workers=workers, engine=self.engine.label))

    def _redemptions(self, ids: tuple[str, ...], tag: str) -> RequestPlan:
        return redemption_plan(self.token, ids, tag)

    def _wrk(self, server: ServedService, plan: RequestPlan, connections: int) -> tuple[WrkRun, float, float]:
        """One wrk run, and the CPU cores the server and the whole machine used meanwhile."""
        server_before, machine_before = server.cpu_seconds(), machine_busy_seconds()
        run = run_wrk(server.url, plan, connections=connections, seconds=self.options.seconds, workdir=self.workdir)
        server_cores = (server.cpu_seconds() - server_before) / run.seconds
        return run, server_cores, (machine_busy_seconds() - machine_before) / run.seconds

    def _redeem(
        self, server: ServedService, url: str, name: str, ids: tuple[str, ...], connections: int, direct: Sample
    ) -> Point:
        tag = _tag(f"{'hot' if len(ids) == 1 else 'spread'}{connections}")
        run, cores, machine = self._wrk(server, self._redemptions(ids, tag), connections)
        problems = redemption_problems(run, settled_outcome(url, tag))
        _progress(f"  {name} @{connections}: {run.sample().rate:,.0f}/s, p99 {run.p99_ms:,.1f} ms")
        return Point(name, connections, run, cores, machine, direct, tuple(problems))

    def _read(
        self, server: ServedService, name: str, paths: tuple[str, ...], direct: Sample | None, auth: bool = True
    ) -> Point:
        connections = self.options.read_connections
        plan = RequestPlan("GET", paths, _tag("read"), self.auth if auth else {})
        run, cores, machine = self._wrk(server, plan, connections)
        problems = [f"{run.failed} requests failed"] if run.failed else []
        _progress(f"  {name} @{connections}: {run.sample().rate:,.0f}/s, p99 {run.p99_ms:,.1f} ms")
        return Point(name, connections, run, cores, machine, direct, tuple(problems))

    def _burst(self, server: ServedService, url: str, coupon_id: str) -> Burst:
        address = urlsplit(server.url)
        host, port = address.hostname or "127.0.0.1", address.port or 80
        result = redemption_burst(host, port, coupon_id, self.token, _tag("burst"), self.options.burst)
        confirmed, rows = data.coupon_usage(url, coupon_id)
        _progress(f"  burst of {len(result.answers)}: all answered in {result.seconds:.2f} s")
        return Burst(result, data.BURST_LIMIT, confirmed, rows)

    def _profile(self, server: ServedService, served: data.SeededCoupons) -> Profile:
        """A py-spy profile of the server while wrk redeems the 1,000 coupons from 64 connections."""
        seconds = self.options.seconds
        _progress(f"profiling the server for {seconds:.0f} s under {SPREAD} @64...")
        plan = self._redemptions(served.spread_ids, _tag("profile"))
        load = threading.Thread(
            target=run_wrk,
            args=(server.url, plan),
            kwargs={"connections": 64, "seconds": seconds + 4, "workdir": self.workdir},
        )
        load.start()
        try:
            time.sleep(2)  # let the load reach its steady state first
            return record_profile(server.pid, seconds, CACHE / f"profile-{self.engine.name}.txt")
        finally:
            load.join()

    @property
    def failed_checks(self) -> bool:
        return any(point.problems for point in self.points) or any(burst.problems for burst in self.bursts)


def report(benches: list[Bench], options: argparse.Namespace, failures: list[str]) -> str:
    """Every engine's points in one table, then the bursts, the targets, what was skipped and the profiles."""
    points = [point for bench in benches for point in bench.points]
    bursts = [burst for bench in benches for burst in bench.bursts]
    engines = "; ".join(f"{bench.engine.label}: {bench.engine.title}" for bench in benches)
    parts = [f"Coupon service on {engines}. {options.seconds:.0f} s per HTTP point.", ""]
    if points:
        baselines = "; ".join(f"{bench.engine.label}: {bench.engine.baseline}" for bench in benches)
        parts += [f"Direct baselines (the same transaction through the engine's own driver): {baselines}.", ""]
        parts += [render_points(points), ""]
    if bursts:
        parts += [render_bursts(bursts), ""]
    if points:
        parts += ["Targets:", *verdicts(points, bursts), ""]
    skipped = [what for bench in benches for what in bench.skipped]
    if skipped:
        parts += [f"Skipped, the budget of {options.budget_seconds:.0f} s ran out: " + "; ".join(skipped), ""]
    for bench in benches:
        if bench.profile is not None:
            title = f"Profile of the server on {bench.engine.label} under {SPREAD} @64 (py-spy, GIL-holding samples):"
            parts += [title, "", render_profile(bench.profile), ""]
    parts += [f"The run stopped early: {failure}" for failure in failures]
    return "\n".join(parts)


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.service_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=sorted(ENGINES), nargs="+", default=list(ENGINES),
                        help="database engines, measured in this order (default: sqlite postgresql)")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=8, help="length of each HTTP point (default 8)")
    parser.add_argument("--direct-seconds", type=float, default=4, help="length of each baseline run (default 4)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 16, 32, 64], help="spread sweep")
    parser.add_argument("--hot-connections", type=int, nargs="+", default=[8, 64], help="hot coupon points")
    parser.add_argument("--read-connections", type=int, default=16, help="connections of the read points")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server processes to measure")
    parser.add_argument("--burst", type=int, default=1000, help="simultaneous redemptions of one coupon (0: none)")
    parser.add_argument("--budget-seconds", type=float, default=BUDGET_SECONDS,
                        help=f"points that would end later are skipped (default {BUDGET_SECONDS:.0f})")  # fmt: skip
    parser.add_argument("--chart", type=Path, help="where the PNG goes (default bench/.cache/service-<engines>.png)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed, too")
    parser.add_argument("--profile", action="store_true", help="also profile the server with py-spy under load")
    parser.add_argument("--profile-only", action="store_true", help="only the profile (no baseline, no table)")
    options = parser.parse_args(argv)
    if options.burst and options.burst <= data.BURST_LIMIT:
        parser.error(f"--burst must exceed the coupon's limit of {data.BURST_LIMIT} (or be 0)")
    options.engine = list(dict.fromkeys(options.engine))
    return options


def _measure_engine(name: str, options: argparse.Namespace, deadline: float) -> tuple[Bench | None, str | None]:
    """One engine's part of the run; what was measured and, if the run of it stopped early, why."""
    with tempfile.TemporaryDirectory(prefix="service-bench-") as folder:
        try:
            engine = ENGINES[name](Path(folder))
        except PostgresError as exc:  # PostgreSQL missing, or its servers would not start
            return None, f"{name} could not be measured: {exc}"
        bench = Bench(engine, options, Path(folder), deadline)
        try:
            bench.run()
        except (WrkError, ProfileError, RuntimeError, OSError) as exc:
            # What was measured before the failure is still reported, with the reason the run stopped.
            return bench, f"{engine.label}: {exc}"
        finally:
            engine.close()
    return bench, None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print and write the tables and the chart; the exit code says whether checks held."""
    options = _options(argv)
    started = time.monotonic()
    deadline = started + options.budget_seconds
    benches: list[Bench] = []
    failures: list[str] = []
    for name in options.engine:
        bench, failure = _measure_engine(name, options, deadline)
        benches += [bench] if bench is not None else []
        failures += [failure] if failure is not None else []
    text = report(benches, options, failures)
    print(text)
    CACHE.mkdir(parents=True, exist_ok=True)
    kind = "profile" if options.profile_only else "service"
    names = "-".join(options.engine)
    results = CACHE / f"results-{kind}-{names}.md"
    results.write_text(text, encoding="utf-8")
    written = [results]
    points = [point for bench in benches for point in bench.points]
    bursts = [burst for bench in benches for burst in bench.bursts]
    if points:
        baselines = {bench.engine.label: bench.engine.baseline for bench in benches}
        title = "Coupon service redemptions over HTTP vs the same transaction through each engine's own driver"
        written.append(chart.draw(points, baselines, title, options.chart or CACHE / f"service-{names}.png"))
    _progress(f"(written to {', '.join(map(str, written))}; {time.monotonic() - started:.0f} s in all)")
    missed = any("MISSED" in line for line in verdicts(points, bursts))
    failed_checks = any(bench.failed_checks for bench in benches)
    return 1 if failures or failed_checks or (options.strict and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
