"""Benchmark: `contractkit lint` against Redocly CLI and Spectral on big public OpenAPI documents.

Run with `python -m bench.lint_bench` (or `make bench`). It fetches GitHub's REST API description
(`@octokit/openapi@23.0.2`, 13 MB of JSON) and installs Redocly CLI 2.77.0 and Spectral 6.16.3 into
`bench/.cache/` (npm, once), then lints that document and one document of each folder of
`../shared/bench-specs/` with every tool, each in a fresh process:

- contractkit: every rule on, JSON report to /dev/null (as CI would run it, interpreter start included);
- Redocly: `lint` with the `recommended` ruleset, JSON report;
- Spectral: `lint` with a ruleset that extends `spectral:oas`, JSON report.

It prints a Markdown table (wall time, peak memory, findings, exit code, and each tool's time and
memory relative to contractkit) and writes it to `bench/.cache/results-lint.md`. Wall time is the
best of several runs (`--runs`; Spectral, at over a minute per run on GitHub's document, runs
`--spectral-runs` times); peak memory is the largest seen.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.cache import CACHE, SHARED_SPECS, npm_tool, octokit_description
from bench.measure import Measurement, best_of, table

REPOSITORY = Path(__file__).resolve().parents[1]
CONTRACTKIT = REPOSITORY / ".venv" / "bin" / "contractkit"
OCTOKIT_VERSION = "23.0.2"
REDOCLY = ("@redocly/cli", "2.77.0", "redocly")
SPECTRAL = ("@stoplight/spectral-cli", "6.16.3", "spectral")
WORK = CACHE / "lint-bench"
RESULTS = CACHE / "results-lint.md"
# One document of each shared pair: the newer one.
SHARED_DOCUMENTS = {
    "stripe": "stripe/spec3.e0123a38.2022-04-12.json",
    "cloudflare": "cloudflare/openapi.cca3064f.2024-08-06T2228.json",
    "twilio": "twilio/twilio_api_v2010.d50069b.2026-04-14.yaml",
}
# Keep Redocly from phoning home (telemetry, update checks) during a measurement.
QUIET_NODE = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_UPDATE_NOTIFIER": "1"}


@dataclass(frozen=True)
class Run:
    """One tool on one document: how it did, and how many findings it reported."""

    document: str
    tool: str
    measurement: Measurement
    findings: int | None


@dataclass(frozen=True)
class Tool:
    """How to run one linter: the command, where its report goes, and how to count the report."""

    name: str
    command: Callable[[Path, Path], list[str]]
    count: Callable[[Path, Path], int | None]
    runs: int
    documents: tuple[str, ...] | None = None  # None: every document


def _contractkit(document: Path, report: Path) -> list[str]:
    return [str(CONTRACTKIT), "lint", str(document), "--format", "json", "--output", "/dev/null"]


# The `lint` command alone: `contractkit.cli` is replaced by a bare package before `contractkit.cli.lint`
# is imported, so the other commands' libraries (Schemathesis, openapi-spec-validator: about 0.7 s)
# are not loaded. This is what `contractkit lint` costs once `contractkit/cli/__init__.py` registers
# its commands lazily.
_LINT_ONLY = """
import sys, types
from pathlib import Path
import contractkit
package = types.ModuleType("contractkit.cli")
package.__path__ = [str(Path(contractkit.__file__).parent / "cli")]
sys.modules["contractkit.cli"] = package
import typer
from contractkit.cli.lint import lint_command
app = typer.Typer(add_completion=False)
app.command()(lint_command)
app()
"""


def _contractkit_lint_only(document: Path, report: Path) -> list[str]:
    python = str(REPOSITORY / ".venv" / "bin" / "python")
    return [python, "-c", _LINT_ONLY, str(document), "--format", "json", "--output", "/dev/null"]


def _redocly(document: Path, report: Path) -> list[str]:
    config = WORK / "redocly.yaml"
    config.write_text("extends:\n  - recommended\n", encoding="utf-8")
    redocly = npm_tool(*REDOCLY)
    # Redocly prints its report on stdout; a shell redirect keeps it out of the measuring pipe.
    script = 'exec "$0" lint "$1" --config "$2" --format json --max-problems 10000000 > "$3" 2>/dev/null'
    return ["sh", "-c", script, str(redocly), str(document), str(config), str(report)]


def _redocly_count(document: Path, report: Path) -> int | None:
    try:
        totals = json.loads(report.read_text(encoding="utf-8"))["totals"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int(totals.get("errors", 0)) + int(totals.get("warnings", 0))


def _spectral(document: Path, report: Path) -> list[str]:
    ruleset = WORK / "spectral-ruleset.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    spectral = npm_tool(*SPECTRAL)
    return [
        str(spectral),
        "lint",
        str(document),
        "--ruleset",
        str(ruleset),
        "--format",
        "json",
        "--output",
        str(report),
    ]


def _spectral_count(document: Path, report: Path) -> int | None:
    try:
        return len(json.loads(report.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _contractkit_count(document: Path, report: Path) -> int | None:
    # Measured with the report going to /dev/null, as CI runs it; counted from one more run.
    subprocess.run(
        [str(CONTRACTKIT), "lint", str(document), "--format", "json", "--output", str(report)],
        capture_output=True,
        check=False,
    )
    try:
        return len(json.loads(report.read_text(encoding="utf-8"))["findings"])
    except (OSError, ValueError, KeyError):
        return None


def documents() -> dict[str, Path]:
    """The documents to lint, by short name (GitHub's first)."""
    found = {"github": octokit_description(OCTOKIT_VERSION)}
    found.update({name: SHARED_SPECS / relative for name, relative in SHARED_DOCUMENTS.items()})
    return found


def measure_all(names: list[str], tools: list[Tool]) -> list[Run]:
    """Run every tool on every named document, printing progress to stderr."""
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.update(QUIET_NODE)
    runs = []
    for name, document in documents().items():
        if name not in names:
            continue
        for tool in tools:
            if tool.documents is not None and name not in tool.documents:
                continue
            report = WORK / f"{'-'.join(tool.name.replace(',', '').split())}-{name}.out"
            print(f"  {tool.name} on {name} ({tool.runs} run{'s' if tool.runs > 1 else ''})...", file=sys.stderr)
            measurement = best_of(tool.command(document, report), runs=tool.runs, cwd=WORK)
            runs.append(Run(name, tool.name, measurement, tool.count(document, report)))
    return runs


def render(runs: list[Run]) -> str:
    """The results as a Markdown table, with each tool's time and memory as multiples of contractkit's."""
    base = {run.document: run.measurement for run in runs if run.tool == "contractkit"}
    rows = []
    for run in runs:
        own = base.get(run.document)
        m = run.measurement
        time_ratio = f"{m.wall_seconds / own.wall_seconds:.1f}x" if own else "-"
        memory_ratio = f"{m.peak_mib / own.peak_mib:.2f}x" if own else "-"
        rows.append(
            [
                run.document,
                run.tool,
                f"{m.wall_seconds:.2f}",
                f"{m.peak_mib:.0f}",
                "-" if run.findings is None else str(run.findings),
                str(m.exit_code),
                time_ratio,
                memory_ratio,
            ]
        )
    header = [
        "document",
        "tool",
        "wall s",
        "peak MiB",
        "findings",
        "exit",
        "time vs contractkit",
        "memory vs contractkit",
    ]
    return table(rows, header)


def verdicts(runs: list[Run]) -> list[str]:
    """The issue's targets, checked against the GitHub document, and the Cloudflare no-crash promise."""
    by = {(run.document, run.tool): run.measurement for run in runs}
    lines = []
    ours = by.get(("github", "contractkit"))
    for tool, factor in (("redocly recommended", 5), ("spectral spectral:oas", 30)):
        theirs = by.get(("github", tool))
        if ours and theirs:
            ratio = theirs.wall_seconds / ours.wall_seconds
            verdict = "met" if ratio >= factor else "NOT met"
            lines.append(f"- GitHub: {ratio:.1f}x faster than {tool} (target {factor}x): {verdict}")
    redocly = by.get(("github", "redocly recommended"))
    if ours and redocly:
        verdict = "met" if ours.peak_mib < redocly.peak_mib else "NOT met"
        lines.append(f"- GitHub: peak {ours.peak_mib:.0f} MiB vs Redocly's {redocly.peak_mib:.0f} MiB: {verdict}")
    cloudflare = by.get(("cloudflare", "contractkit"))
    if cloudflare:
        ok = cloudflare.exit_code in (0, 1)
        lines.append(
            f"- Cloudflare (not strictly valid): exit {cloudflare.exit_code}, {'reported' if ok else 'CRASHED'}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write it to bench/.cache/results-lint.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.lint_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement of contractkit and Redocly")
    parser.add_argument("--spectral-runs", type=int, default=1, help="runs per measurement of Spectral")
    parser.add_argument("--documents", nargs="*", default=["github", *SHARED_DOCUMENTS], help="which documents")
    parser.add_argument("--no-spectral", action="store_true", help="skip Spectral (over a minute per run)")
    options = parser.parse_args(argv)
    tools = [
        Tool("contractkit", _contractkit, _contractkit_count, options.runs),
        Tool("contractkit, lint-only entry", _contractkit_lint_only, _contractkit_count, options.runs, ("github",)),
        Tool("redocly recommended", _redocly, _redocly_count, options.runs),
    ]
    if not options.no_spectral:
        tools.append(Tool("spectral spectral:oas", _spectral, _spectral_count, options.spectral_runs))
    runs = measure_all(options.documents, tools)
    text = "\n".join([render(runs), "", *verdicts(runs)]) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    print(f"(written to {RESULTS.relative_to(REPOSITORY)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
