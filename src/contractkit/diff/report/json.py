"""JSON for tools: a summary, the compared contracts, and every finding with both locations."""

from __future__ import annotations

import json
from typing import Any

from contractkit.diff.findings import DiffReport, Finding, Location
from contractkit.diff.registry import Level
from contractkit.diff.report.base import Reporter


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "pointer": location.pointer}


def finding_data(finding: Finding, contract: str) -> dict[str, Any]:
    """One finding as plain JSON data."""
    return {
        "check": finding.check.id,
        "level": finding.level.value,
        "contract": contract,
        "operation": finding.operation,
        "field": finding.field,
        "message": finding.message,
        "base": _location(finding.base),
        "revision": _location(finding.revision),
        "consumers": [
            {"consumer": impact.consumer, "interaction": impact.interaction, "field": impact.field}
            for impact in finding.consumers
        ],
    }


class JsonReporter(Reporter):
    """Machine-readable JSON (stable keys; ``summary.failed`` mirrors the exit code), one finding per line.

    One compact line per finding keeps big reports greppable and lets the C encoder do the work: indenting
    everything costs a tenth of a second on a diff of GitHub's description.
    """

    def render(self, report: DiffReport) -> str:
        counts = report.counts()
        summary = {
            **{level.value: counts[level] for level in Level},
            "contracts": len(report.contracts),
            "failOn": self.fail_on.value if self.fail_on else "never",
            "failed": report.fails(self.fail_on),
        }
        contracts = [
            {"base": c.base, "revision": c.revision, "provider": c.provider, "pactsFound": c.pacts_found}
            for c in report.contracts
        ]
        findings = [
            "    " + _compact(finding_data(finding, contract.name))
            for contract in report.contracts
            for finding in contract.findings
        ]
        listed = "\n" + ",\n".join(findings) + "\n  " if findings else ""
        return "\n".join(
            [
                "{",
                f'  "summary": {_compact(summary)},',
                f'  "contracts": {_compact(contracts)},',
                f'  "findings": [{listed}],',
                f'  "notes": {_compact(list(report.notes))}',
                "}",
                "",
            ]
        )


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
