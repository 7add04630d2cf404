"""`make bench` for `contractkit diff`: four real pairs of big descriptions, against api-smart-diff run alongside.

Each pair is diffed by the `contractkit diff` command as users run it, by the diff engine alone in a fresh
interpreter (what the command costs without the start-up of the other commands' imports), and by the npm library
api-smart-diff 1.0.6 from a tiny Node script. Each figure is the fastest of three runs with the largest peak
memory seen. Targets: no crash, at most 1.5 s and 300 MB per pair, at least 3x faster than api-smart-diff.

    python -m bench.diff_bench            # all pairs; exit 1 only if contractkit crashes
    python -m bench.diff_bench stripe     # some of them
    python -m bench.diff_bench --strict   # exit 1 on any missed target too
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.cache import CACHE, SHARED_SPECS, npm_module, octokit_description
from bench.measure import Measurement, best_of, table

ROOT = Path(__file__).resolve().parents[1]
CONTRACTKIT = ROOT / ".venv" / "bin" / "contractkit"
PYTHON = ROOT / ".venv" / "bin" / "python"
API_SMART_DIFF = ("api-smart-diff", "1.0.6")
# api-smart-diff takes parsed objects; Twilio's description is YAML, so the script parses it with js-yaml.
JS_YAML = ("js-yaml", "4.1.0")
GITHUB_VERSIONS = ("22.0.0", "23.0.2")
MAX_SECONDS, MAX_MIB, MIN_SPEEDUP = 1.5, 300, 3.0

_NODE_SCRIPT = """
const fs = require("fs"), path = require("path");
const [diffModules, yamlModules, before, after] = process.argv.slice(2);
const { apiCompare } = require(path.join(diffModules, "api-smart-diff"));
const yaml = require(path.join(yamlModules, "js-yaml"));
const load = (file) => {
  const text = fs.readFileSync(file, "utf8");
  return file.endsWith(".json") ? JSON.parse(text) : yaml.load(text);
};
const { diffs } = apiCompare(load(before), load(after));
console.log(JSON.stringify({ diffs: diffs.length, breaking: diffs.filter((d) => d.type === "breaking").length }));
"""

_ENGINE = """
import sys
from pathlib import Path
from contractkit.diff import DiffOptions, diff_contracts
from contractkit.diff.report import REPORTERS
report = diff_contracts(sys.argv[1], sys.argv[2], DiffOptions(pacts=None))
Path(sys.argv[3]).write_text(REPORTERS["json"](None).render(report), encoding="utf-8")
"""


def pairs() -> dict[str, tuple[Path, Path]]:
    """Base and revision of every benchmark pair (GitHub's is fetched with npm on first use)."""
    stripe, cloudflare, twilio = (SHARED_SPECS / name for name in ("stripe", "cloudflare", "twilio"))
    return {
        "stripe": (stripe / "spec3.fc5a2b92.2022-04-07.json", stripe / "spec3.e0123a38.2022-04-12.json"),
        "cloudflare": (
            cloudflare / "openapi.615695d8.2024-08-06T2152.json",
            cloudflare / "openapi.cca3064f.2024-08-06T2228.json",
        ),
        "twilio": (
            twilio / "twilio_api_v2010.5fc16b9.2026-03-24.yaml",
            twilio / "twilio_api_v2010.d50069b.2026-04-14.yaml",
        ),
        "github": (octokit_description(GITHUB_VERSIONS[0]), octokit_description(GITHUB_VERSIONS[1])),
    }


def _findings(report: Path) -> str:
    try:
        summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    except (OSError, ValueError, KeyError):
        return "no report"
    return f"{summary['breaking']} / {summary['warning']} / {summary['info']}"


def _crashed(measurement: Measurement) -> bool:
    return measurement.exit_code != 0 or "Traceback" in measurement.output_tail


def _figure(measurement: Measurement) -> str:
    return "crashed" if _crashed(measurement) else f"{measurement.wall_seconds:.2f} s, {measurement.peak_mib:.0f} MB"


def run(names: list[str]) -> tuple[str, bool, bool]:
    """The results table, whether every target was met, and whether contractkit crashed on some pair."""
    work = CACHE / "diff-bench"
    work.mkdir(parents=True, exist_ok=True)
    script = work / "api_smart_diff.js"
    script.write_text(_NODE_SCRIPT, encoding="utf-8")
    diff_modules, yaml_modules = npm_module(*API_SMART_DIFF), npm_module(*JS_YAML)
    rows, met, crashed = [], True, False
    for name, (base, revision) in pairs().items():
        if names and name not in names:
            continue
        report = work / f"{name}.json"
        report.unlink(missing_ok=True)
        command = [str(CONTRACTKIT), "diff", str(base), str(revision), "--format", "json", "--output", str(report)]
        cli = best_of([*command, "--fail-on", "never", "--pacts", str(work / "no-pacts")], cwd=ROOT)
        findings = _findings(report)
        engine = best_of([str(PYTHON), "-c", _ENGINE, str(base), str(revision), str(work / f"{name}.engine.json")])
        other = best_of(["node", str(script), str(diff_modules), str(yaml_modules), str(base), str(revision)])
        speedup = other.wall_seconds / cli.wall_seconds if not _crashed(other) else float("nan")
        ok = not _crashed(cli) and cli.wall_seconds <= MAX_SECONDS and cli.peak_mib <= MAX_MIB
        ok = ok and (speedup >= MIN_SPEEDUP or _crashed(other))
        met = met and ok
        crashed = crashed or _crashed(cli) or _crashed(engine)
        size = (base.stat().st_size + revision.stat().st_size) / 2 / 1e6
        rows.append(
            [
                name,
                f"{size:.1f} MB",
                _figure(cli),
                _figure(engine),
                findings,
                _figure(other),
                f"{speedup:.1f}x",
                "met" if ok else "MISSED",
            ]
        )
    header = [
        "pair",
        "size",
        "contractkit diff",
        "diff engine only",
        "breaking / warning / info",
        f"api-smart-diff {API_SMART_DIFF[1]}",
        "speed-up",
        "targets",
    ]
    return table(rows, header), met, crashed


def main() -> None:
    """Print the table (Markdown, ready for docs/tools/diff.md); exit 1 on a crash, or a missed target with --strict."""
    strict = "--strict" in sys.argv[1:]
    text, met, crashed = run([name for name in sys.argv[1:] if name != "--strict"])
    print(text)
    print(
        f"\ntargets: no crash, <= {MAX_SECONDS} s and <= {MAX_MIB} MB per pair (contractkit diff), "
        f">= {MIN_SPEEDUP:.0f}x faster than api-smart-diff; {'all met' if met else 'some MISSED'}"
    )
    sys.exit(1 if crashed or (strict and not met) else 0)


if __name__ == "__main__":
    main()
