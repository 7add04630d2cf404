"""Markdown for a pull-request comment: the summary table first, breaking changes listed, details folded.

GitHub refuses comments over 65,536 characters, so details stop (with a note) before that; the marker
comment on the first line lets a workflow find and update its previous comment.
"""

from __future__ import annotations

from contractkit.diff.findings import DiffReport, Finding
from contractkit.diff.registry import Level
from contractkit.diff.report.base import Reporter, consumer_line

MARKER = "<!-- contractkit-diff -->"
# Below GitHub's comment limit with room for the closing lines.
_BUDGET = 60_000
_ICONS = {Level.BREAKING: "🔴", Level.WARNING: "🟡", Level.INFO: "🔵"}
_LISTED = 50


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


class MarkdownReporter(Reporter):
    """GitHub-flavoured Markdown."""

    def render(self, report: DiffReport) -> str:
        counts = report.counts()
        parts = [
            MARKER,
            f"### Contract diff: {' · '.join(f'{_ICONS[lv]} {counts[lv]} {lv.value}' for lv in Level)}",
            "",
        ]
        if not report.contracts:
            parts += ["No contract differs.", ""]
        else:
            parts += ["| contract | breaking | warning | info | consumers affected |", "|---|--:|--:|--:|---|"]
            for contract in report.contracts:
                level_counts = [sum(f.level is level for f in contract.findings) for level in Level]
                consumers = sorted(
                    {i.consumer for f in contract.findings if f.level is Level.BREAKING for i in f.consumers}
                )
                cells = [_code(contract.name), *map(str, level_counts), ", ".join(consumers) or "—"]
                parts.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
            parts.append("")
        breaking = [finding for finding in report.findings if finding.level is Level.BREAKING]
        if breaking:
            parts += ["**Breaking changes**", "", "| check | operation | revision | consumers |", "|---|---|---|---|"]
            for finding in breaking[:_LISTED]:
                where = str(finding.revision or finding.base or "")
                cells = [
                    _code(finding.check.id),
                    _code(finding.operation or "whole contract"),
                    _code(where),
                    consumer_line(finding) or "",
                ]
                parts.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
            if len(breaking) > _LISTED:
                parts.append(f"\n…and {len(breaking) - _LISTED} more, in the details below.")
            parts.append("")
        text = "\n".join(parts) + "\n"
        for level in Level:
            findings = [finding for finding in report.findings if finding.level is level]
            if findings:
                text += self._details(level, findings, _BUDGET - len(text))
        notes = "".join(f"> {note}\n" for note in report.notes)
        return text + notes + ("\n" if notes else "") + f"{self.summary(report)}\n"

    def _details(self, level: Level, findings: list[Finding], budget: int) -> str:
        head = f"<details><summary>{_ICONS[level]} {len(findings)} {level.value}</summary>\n\n"
        tail = "</details>\n\n"
        body = ""
        for shown, finding in enumerate(findings):
            entry = self._entry(finding)
            if len(head) + len(body) + len(entry) + len(tail) + 200 > budget:
                body += f"…and {len(findings) - shown} more (use `--format json` or `--format text` for all).\n\n"
                break
            body += entry
        return head + body + tail

    @staticmethod
    def _entry(finding: Finding) -> str:
        lines = [
            f"**{_code(finding.check.id)}** {_code(finding.operation or 'whole contract')}",
            "",
            finding.message,
            "",
        ]
        for side, location in (("base", finding.base), ("revision", finding.revision)):
            if location is not None:
                lines.append(f"- {side}: {_code(str(location))} {_code(location.pointer or '/')}")
        consumers = consumer_line(finding)
        if consumers:
            lines.append(f"- consumers: {consumers}")
        return "\n".join(lines) + "\n\n"
