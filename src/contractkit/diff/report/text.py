"""Plain text for a terminal: findings grouped by contract, most severe first, then a summary line."""

from __future__ import annotations

from contractkit.diff.findings import DiffReport
from contractkit.diff.report.base import Reporter, consumer_line


class TextReporter(Reporter):
    """Human-readable text."""

    def render(self, report: DiffReport) -> str:
        lines: list[str] = []
        for contract in report.contracts:
            title = contract.name
            if contract.base and contract.base != contract.revision:
                title += f"  (base: {contract.base})"
            lines.append(title)
            if not contract.findings:
                lines.append("  no changes")
            for finding in contract.findings:
                lines.append(
                    f"  {finding.level.value.upper():<8} {finding.check.id}  {finding.operation or ''}".rstrip()
                )
                lines.append(f"           {finding.message}")
                for name, location in (("base", finding.base), ("revision", finding.revision)):
                    if location is not None:
                        lines.append(f"           {name:<9}{location}  {location.pointer or '/'}")
                consumers = consumer_line(finding)
                if consumers:
                    lines.append(f"           consumers {consumers}")
            lines.append("")
        lines.extend(f"note: {note}" for note in report.notes)
        if not report.contracts:
            lines.append("no contract differs")
        lines.append(self.summary(report))
        return "\n".join(lines) + "\n"
