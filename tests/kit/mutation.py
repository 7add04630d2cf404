"""Serve a mutant of the reference coupon service from a copy of its source, for the kit to judge.

The copy (of `src/dataservices` and `src/contractkit`) is served by its own process
(`python -m dataservices.cli serve coupon`) with the copy first on PYTHONPATH, on a fresh SQLite file and a
free port of 127.0.0.1, exactly as `make run` serves the real one. `python -m tests.kit.mutation` runs every
mutant under Schemathesis alone and under the kit, and prints the kill rates the testing page reports.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from contractkit.bundle import bundle
from contractkit.kit import KitOptions, KitReport, Outcome, SigningKey, run_kit
from dataservices.common.serving import free_port
from tests.kit.mutants import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "coupon" / "openapi.yaml"
SECRET, ISSUER, AUDIENCE = "mutation-check-secret-of-32-bytes", "mutation-check", "dataservices"
# A cold start imports FastAPI, SQLAlchemy and the contract: a few seconds on a loaded 2-core machine.
STARTUP_SECONDS = 60.0
# Bursts big enough to race (a limit of 15 out of 60), small enough to keep every mutant quick.
MUTANT_BURST = 60


def credentials() -> SigningKey:
    return SigningKey(algorithm="HS256", key=SECRET, issuer=ISSUER, audience=AUDIENCE)


# The service's code and the contract checks it shares with `contractkit mock` (contractkit.server).
MUTABLE_PACKAGES = ("dataservices", "contractkit")


def copy_source(target: Path) -> None:
    """Copy the packages a mutant may edit under `target`, which goes first on the mutant's PYTHONPATH."""
    for package in MUTABLE_PACKAGES:
        shutil.copytree(ROOT / "src" / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))


def apply(mutant: Mutant, source: Path) -> None:
    """Apply the mutant's edits to a copy of src/ (see `copy_source`); each edit's text must occur once."""
    for edit in mutant.edits:
        path = source / edit.file
        text = path.read_text(encoding="utf-8")
        if text.count(edit.old) != 1:
            raise AssertionError(f"{mutant.id}: {edit.file} holds {text.count(edit.old)} copies of {edit.old!r}")
        path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


@contextmanager
def served(mutant: Mutant | None, folder: Path) -> Iterator[str]:
    """Serve the reference service (or a mutant of it) until the block ends; yield its base URL."""
    source = folder / "src"
    copy_source(source)
    if mutant is not None:
        apply(mutant, source)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(source),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATASERVICES_COUPON_DATABASE_URL": f"sqlite:///{folder / 'coupon.db'}",
        "DATASERVICES_COUPON_CONTRACTS_DIR": str(ROOT / "contracts"),
        "DATASERVICES_AUTH_HS256_SECRET": SECRET,
        "DATASERVICES_AUTH_ISSUER": ISSUER,
        "DATASERVICES_AUTH_AUDIENCE": AUDIENCE,
        "DATASERVICES_COUPON_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "dataservices", "serve", "coupon", "--port", str(port)]
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{mutant.id if mutant else 'service'} exited: {(folder / 'server.log').read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} not ready after {STARTUP_SECONDS} s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def judge(url: str, promises: frozenset[str] = frozenset(), burst: int = MUTANT_BURST) -> KitReport:
    """Run the kit (only `promises`, if given) against a served implementation."""
    options = KitOptions(base_url=url, only=promises, burst=burst, seed=7)
    return asyncio.run(run_kit(bundle(CONTRACT), options, credentials()))


def broken(report: KitReport) -> set[str]:
    return {r.promise.id for r in report.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)}


def _schemathesis_kills(url: str, folder: Path) -> bool:
    """Whether `contractkit verify --no-kit` (every check, every phase) fails the implementation."""
    token = credentials().token(("coupon:read", "coupon:write", "coupon:redeem"), "mutation-check")
    done = subprocess.run(
        [sys.executable, "-m", "contractkit", "verify", str(CONTRACT), "--base-url", url, "--token", token,
         "--no-kit", "--max-examples", "25", "--seed", "7"],
        capture_output=True, text=True, cwd=folder, check=False,
    )  # fmt: skip
    return done.returncode != 0


def _outcome(mutant: Mutant, folder: Path) -> tuple[bool, set[str]]:
    with served(mutant, folder) as url:
        return _schemathesis_kills(url, folder), broken(judge(url, burst=MUTANT_BURST))


def report(folder: Path, parallel: int = 3) -> None:
    """Every mutant under Schemathesis alone and under the whole kit; prints the table the docs show."""
    with ThreadPoolExecutor(parallel) as pool:
        outcomes = list(pool.map(lambda mutant: _outcome(mutant, folder / mutant.id), MUTANTS))
    print("| mutant | defect | Schemathesis alone | with the kit | promises broken |")
    print("|---|---|---|---|---|")
    for mutant, (by_schemathesis, found) in zip(MUTANTS, outcomes, strict=True):
        marks = ("killed" if by_schemathesis else "survived", "killed" if found or by_schemathesis else "survived")
        print(f"| `{mutant.id}` | {mutant.defect} | {marks[0]} | {marks[1]} | {', '.join(sorted(found))} |")
    total = len(MUTANTS)
    alone = sum(1 for by_schemathesis, _ in outcomes if by_schemathesis)
    together = sum(1 for by_schemathesis, found in outcomes if by_schemathesis or found)
    kit_only = sum(1 for _, found in outcomes if found)
    print(f"\nSchemathesis alone: {alone}/{total}; the kit alone: {kit_only}/{total}; together: {together}/{total}")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
        report(Path(scratch))
