"""SARIF 2.1.0: the format code-scanning tools (GitHub, GitLab, IDEs) import."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TextIO

from contractkit.lint.engine import LintReport
from contractkit.lint.registry import GUIDE
from contractkit.lint.reporters.base import ReportOptions

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_ROOT = "%SRCROOT%"


def _tool_version() -> str:
    try:
        return version("data-service-contracts")
    except PackageNotFoundError:
        return "0"


class SarifReporter:
    """One run of ``contractkit lint``: every rule with its ``helpUri``, every result with its region."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options

    def write(self, report: LintReport, out: TextIO) -> None:
        rules: list[dict[str, Any]] = [
            {
                "id": descriptor.id,
                "name": descriptor.slug,
                "shortDescription": {"text": descriptor.statement},
                "helpUri": descriptor.docs_url,
                "defaultConfiguration": {"level": str(descriptor.severity)},
            }
            for descriptor in report.descriptors
        ]
        index = {rule["id"]: position for position, rule in enumerate(rules)}
        results = [self._result(result, index) for result in report.results]
        log = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "contractkit lint",
                            "version": _tool_version(),
                            "informationUri": GUIDE.base_url,
                            "rules": rules,
                        }
                    },
                    "originalUriBaseIds": {_ROOT: {"uri": self.options.relative_to.absolute().as_uri() + "/"}},
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }
            ],
        }
        # Compact: `indent` would switch json to its pure-Python encoder, ten times slower on big reports.
        json.dump(log, out, ensure_ascii=False, separators=(",", ":"))
        out.write("\n")

    def _result(self, result: Any, index: dict[str, int]) -> dict[str, Any]:
        shown = self.options.path(result.file)
        location = {"uri": shown, "uriBaseId": _ROOT} if not shown.startswith("/") else {"uri": result.file.as_uri()}
        entry: dict[str, Any] = {
            "ruleId": result.rule_id,
            "level": str(result.severity),
            "message": {"text": result.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {"startLine": result.line, "startColumn": result.column},
                    },
                    "logicalLocations": [{"fullyQualifiedName": result.pointer or "/", "kind": "member"}],
                }
            ],
            "properties": {"pointer": result.pointer, "docsUrl": result.docs_url},
        }
        if result.rule_id in index:
            entry["ruleIndex"] = index[result.rule_id]
        if result.waiver is not None:
            waiver = result.waiver
            justification = f"{waiver.reason} (owner {waiver.owner}, until {waiver.expires})"
            entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
        return entry
