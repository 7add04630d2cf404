"""Compare one contract pair end to end: operations, their parts, the document, then consumer impact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from contractkit.diff.consumers import ConsumerIndex, Interaction, provider_name, template_prefixes
from contractkit.diff.findings import ContractDiff, Finding, Scope
from contractkit.diff.lifecycle import compare_deprecation, compare_removed, version_gate
from contractkit.diff.messages import compare_request_body, compare_responses
from contractkit.diff.operations import Operation, OperationKey, collect_operations
from contractkit.diff.parameters import compare_parameters
from contractkit.diff.recorder import Recorder
from contractkit.diff.registry import Level
from contractkit.diff.security import (
    compare_document_servers,
    compare_operation_servers,
    compare_security,
    compare_security_schemes,
    used_schemes,
)
from contractkit.diff.sides import Side
from contractkit.loading import LoadPolicy


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class DiffOptions:
    """What a diff needs besides the two contracts."""

    # The day x-sunset dates are compared with (UTC today unless a review wants another day).
    today: date = field(default_factory=_today)
    # Where consumer pacts are; None for no consumer impact.
    pacts: Path | None = Path("contracts/pacts")
    # The root contracts and pacts must stay in, and the limits.
    policy: LoadPolicy = field(default_factory=LoadPolicy)


def compare_contracts(
    base: Side | None, revision: Side | None, options: DiffOptions, interactions: Sequence[Interaction] = ()
) -> ContractDiff:
    """Every finding between two sides of one contract (a side is ``None`` for an added or removed contract)."""
    recorder = Recorder(base, revision)
    old = collect_operations(base) if base is not None else {}
    new = collect_operations(revision) if revision is not None else {}
    _compare_operations(recorder, old, new, options)
    if base is not None and revision is not None:
        compare_document_servers(recorder)
        compare_security_schemes(recorder, used_schemes(base, list(old.values())))
    _report_broken_refs(recorder)
    version_gate(recorder, recorder.finish())
    findings = recorder.finish()
    main = revision or base
    assert main is not None, "a comparison has at least one side"
    provider = provider_name(main.root.get("info"), main.workspace.root.path)
    ours = [interaction for interaction in interactions if interaction.provider == provider]
    if ours:
        index = ConsumerIndex(ours, old, template_prefixes(main.root.get("servers")))
        findings = [
            replace(f, consumers=index.impacts(f)) if f.level.rank >= Level.WARNING.rank else f for f in findings
        ]
        findings = [_gate_consumers(finding, findings) for finding in findings]
    return ContractDiff(
        base.name if base is not None else None,
        revision.name if revision is not None else None,
        tuple(sorted(findings, key=_order)),
        provider,
        bool(ours),
    )


def _compare_operations(
    recorder: Recorder, old: dict[OperationKey, Operation], new: dict[OperationKey, Operation], options: DiffOptions
) -> None:
    base, revision = recorder.base, recorder.revision
    # An operation identical on both sides (refs included) can be skipped, unless what it inherits from the
    # document (security, servers) changed.
    inherited = (
        base is not None
        and revision is not None
        and all(base.root.get(key) == revision.root.get(key) for key in ("security", "servers"))
    )
    for key, operation in old.items():
        counterpart = new.get(key)
        if counterpart is None:
            compare_removed(recorder, operation, options.today)
        elif not (inherited and _unchanged(recorder, operation, counterpart)):
            compare_deprecation(recorder, operation, counterpart)
            compare_parameters(recorder, operation, counterpart)
            compare_request_body(recorder, operation, counterpart)
            compare_responses(recorder, operation, counterpart)
            compare_security(recorder, operation, counterpart)
            compare_operation_servers(recorder, operation, counterpart)
    for key, operation in new.items():
        if key not in old:
            where = None if base is None else (base.root.document, "/paths")
            at = (operation.node.document, operation.node.pointer)
            added = recorder.subject(f"operation `{operation.label}`", where, at, operation.label, Scope())
            added.add("operation-added", "added")


def _report_broken_refs(recorder: Recorder) -> None:
    """One finding per broken `$ref` met while comparing (not one per operation that uses it)."""
    recorder.finish()  # schema comparisons run now, so every broken ref has been met
    for name, side in (("base", recorder.base), ("revision", recorder.revision)):
        for (document, pointer), reason in side.broken.items() if side is not None else ():
            at = (document, pointer + "/$ref")
            base_at, revision_at = (at, None) if name == "base" else (None, at)
            recorder.subject("", base_at, revision_at, None, Scope()).add("unresolved-ref", f"{name}: {reason}")


def _gate_consumers(finding: Finding, findings: list[Finding]) -> Finding:
    """The version gate breaks whoever its breaking findings break, not every consumer of the contract."""
    if finding.check.id != "breaking-change-without-major-version":
        return finding
    impacts = {
        impact: None
        for other in findings
        if other.level is Level.BREAKING and other is not finding
        for impact in other.consumers
    }
    return replace(finding, consumers=tuple(impacts))


def _unchanged(recorder: Recorder, base: Operation, revision: Operation) -> bool:
    same = recorder.same
    return (
        same(base.node, revision.node)
        and same(base.path_item.child("parameters"), revision.path_item.child("parameters"))
        and same(base.path_item.child("servers"), revision.path_item.child("servers"))
    )


def _order(finding: Finding) -> tuple[int, str, str, str]:
    return -finding.level.rank, finding.operation or "", finding.check.id, finding.field or ""
