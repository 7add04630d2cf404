"""Run the registry's checks over contracts and turn their findings into located, waiver-aware results."""

from __future__ import annotations

import os
import traceback
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Descriptor, Finding, Result
from contractkit.lint.registry import Registry, Severity, default_registry
from contractkit.lint.unresolved import UNRESOLVED_REF, unresolved_findings
from contractkit.lint.waivers import WAIVER_CHECKS, Waiver, apply_waivers
from contractkit.loading import Document, LimitExceeded, LoadPolicy, Workspace


@dataclass(slots=True)
class LintReport:
    """Everything one lint run found, ready for a reporter."""

    contracts: list[Path]
    results: list[Result]
    # Every rule that ran, plus the waiver checks: SARIF lists them all, JUnit makes a test case of each.
    descriptors: list[Descriptor] = field(default_factory=list)
    # The files each contract consists of (root first), for per-contract grouping in reports.
    files: dict[Path, list[Path]] = field(default_factory=dict)

    def active(self) -> list[Result]:
        """Results not accepted by a waiver."""
        return [result for result in self.results if result.waiver is None]

    def severities(self) -> Counter[Severity]:
        """How many active results have each severity (one pass over tens of thousands of results)."""
        return Counter(result.severity for result in self.results if result.waiver is None)

    def count(self, severity: Severity) -> int:
        """How many active results have ``severity``."""
        return self.severities()[severity]

    def fails(self, threshold: Severity) -> bool:
        """Whether some active result is at or above ``threshold``."""
        return any(severity.rank >= threshold.rank for severity in self.severities())


def run_checks(workspace: Workspace, registry: Registry | None = None) -> list[Finding]:
    """Every finding of every checked rule on one loaded contract, in rule order.

    A check that crashes on a document it did not expect (the not-quite-valid ones out there)
    becomes a finding of its rule at the document root, so one bug never hides the other rules.
    Every ``$ref`` the checks could not follow is an ``unresolved-ref`` finding after them; a limit
    met while following one stops the run (:class:`~contractkit.loading.LimitExceeded`).
    """
    registry = registry or default_registry()
    context = LintContext(workspace)
    findings: list[Finding] = []
    for entry in registry.entries():
        if entry.check is None:
            continue
        try:
            findings.extend(entry.check(context))
        except LimitExceeded:
            raise
        except Exception as exc:  # reported as a finding, see the docstring
            where = traceback.extract_tb(exc.__traceback__)[-1]
            message = f"internal error in this rule's check: {type(exc).__name__}: {exc} ({where.name}:{where.lineno})"
            findings.append(Finding(entry.rule, workspace.root, "", message))
    findings.extend(unresolved_findings(context.refs))
    return findings


def locate(findings: Iterable[Finding]) -> list[Result]:
    """Results for findings: line and column in the file that holds each node; duplicates dropped."""
    kept: dict[tuple[str, int, str, str], Finding] = {}
    for finding in findings:
        kept.setdefault((finding.rule.id, id(finding.document), finding.pointer, finding.message), finding)
    # Several rules report at the same node (an operation); each place is looked up once, and all the
    # places of one file in one pass over its text (tens of thousands on a big document).
    wanted: dict[int, tuple[Document, dict[str, None]]] = {}
    for (_, key, pointer, _), finding in kept.items():
        entry = wanted.get(key)
        if entry is None:
            entry = wanted[key] = (finding.document, {})
        entry[1][pointer] = None
    places: dict[int, dict[str, tuple[int, int]]] = {}
    # normpath once per file: the root keeps the spelling it was given (`a/../b`), shared files do not.
    files: dict[int, Path] = {}
    for key, (document, pointers) in wanted.items():
        places[key] = dict(zip(pointers, document.line_columns(list(pointers)), strict=True))
        files[key] = Path(os.path.normpath(document.path))
    # A rule's severity and docs URL are derived properties; derive them once per rule, not per finding.
    derived: dict[str, tuple[Severity, str]] = {}
    results: list[Result] = []
    for (rule_id, key, pointer, message), finding in kept.items():
        line, column = places[key][pointer]
        known = derived.get(rule_id)
        if known is None:
            known = derived[rule_id] = (finding.rule.severity, finding.rule.docs_url)
        results.append(Result(rule_id, known[0], message, files[key], line, column, pointer, known[1]))
    return results


def lint_workspace(workspace: Workspace, registry: Registry | None = None) -> list[Result]:
    """Located results of every checked rule for one loaded contract (no waivers applied)."""
    return locate(run_checks(workspace, registry))


def lint_contracts(
    contracts: Sequence[Path],
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
    registry: Registry | None = None,
    policy: LoadPolicy | None = None,
) -> LintReport:
    """Lint each contract, merge results (a shared file's finding is reported once), apply waivers.

    Raises :class:`~contractkit.loading.LoadError` for a contract that cannot be read or parsed, or
    that goes past the ``policy``'s limits.
    """
    registry = registry or default_registry()
    results: list[Result] = []
    seen: set[tuple[str, str, str, str]] = set()
    files: dict[Path, list[Path]] = {}
    for index, contract in enumerate(contracts):
        workspace = Workspace(contract, policy)
        found = lint_workspace(workspace, registry)
        if index == 0:
            seen.update(result.identity() for result in found)
            results.extend(found)
        else:
            # Contracts sharing files find the same things there; report each once.
            for result in found:
                if result.identity() not in seen:
                    seen.add(result.identity())
                    results.append(result)
        files[Path(os.path.normpath(workspace.root.path))] = list(workspace.documents)
    linted = {path for paths in files.values() for path in paths}
    merged = apply_waivers(results, waivers, linted, today or date.today())
    descriptors: list[Descriptor] = [entry.rule for entry in registry.entries() if entry.check is not None]
    descriptors.append(UNRESOLVED_REF)
    descriptors.extend(WAIVER_CHECKS)
    return LintReport(
        contracts=list(files),
        results=sorted(merged, key=Result.sort_key),
        descriptors=descriptors,
        files=files,
    )
