"""The lifecycle policy: when an operation may go, and when breaking changes need a new major version.

An operation may be removed only once it was marked `deprecated` and, when it carries an `x-sunset` date
(the extension oasdiff reads too), only on or after that date. A contract with breaking changes needs a major
`info.version` bump and a new `/vN` path space, where the changed operations live on side by side with the old.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from contractkit.diff.findings import Finding, Scope
from contractkit.diff.operations import Operation
from contractkit.diff.recorder import Recorder
from contractkit.diff.registry import Level
from contractkit.diff.sides import Side

_MAJOR = re.compile(r"\D*(\d+)")
_PATH_VERSION = re.compile(r"^/v(\d+)(?:/|$)")


def sunset_date(value: Any) -> date | None:
    """The date an `x-sunset` value names (a date or an RFC 3339 timestamp); ``None`` if it names none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def compare_removed(recorder: Recorder, operation: Operation, today: date) -> None:
    """Record the removal of ``operation`` as allowed or breaking by the lifecycle policy."""
    node = operation.node
    revision = None
    if recorder.revision is not None:
        # Where it would be; the line falls back to the nearest existing ancestor.
        would_be = recorder.revision.root.child("paths", operation.path, operation.method.lower())
        revision = (would_be.document, would_be.pointer)
    where = f"operation `{operation.label}`"
    subject = recorder.subject(where, (node.document, node.pointer), revision, operation.label, Scope(operation.key))
    sunset = node.get("x-sunset")
    when = sunset_date(sunset)
    if node.get("deprecated") is not True:
        subject.add("operation-removed-without-deprecation", "removed, but it was never marked deprecated")
    elif sunset is None:
        subject.add("operation-removed", "removed after being deprecated (no x-sunset date)")
    elif when is None:
        subject.add("operation-removed-before-sunset", f"removed, but its x-sunset `{sunset}` is not a date")
    elif when > today:
        subject.add("operation-removed-before-sunset", f"removed before its x-sunset date {when.isoformat()}")
    else:
        subject.add("operation-removed", f"removed after its x-sunset date {when.isoformat()}")


def compare_deprecation(recorder: Recorder, base: Operation, revision: Operation) -> None:
    """Record an operation newly marked deprecated, or a deprecated one whose sunset comes sooner."""
    if revision.node.get("deprecated") is not True:
        return
    if base.node.get("deprecated") is True:
        _compare_sunset(recorder, base, revision)
        return
    sunset = sunset_date(revision.node.get("x-sunset"))
    detail = "now deprecated" + (f", sunset {sunset.isoformat()}" if sunset else ", without an x-sunset date")
    at_b = (base.node.document, base.node.pointer)
    at_r = (revision.node.document, revision.node.child("deprecated").pointer)
    where = f"operation `{revision.label}`"
    recorder.add("operation-deprecated", where, detail, at_b, at_r, operation=revision.label, scope=Scope(base.key))


def _compare_sunset(recorder: Recorder, base: Operation, revision: Operation) -> None:
    # Clients plan their move off a deprecated operation by its sunset: an earlier date takes time they
    # were promised. A later date, or one added, gives them more; removing it leaves removal to the policy.
    before, after = sunset_date(base.node.get("x-sunset")), sunset_date(revision.node.get("x-sunset"))
    if before is None or after is None or after >= before:
        return
    at_b = (base.node.document, base.node.child("x-sunset").pointer)
    at_r = (revision.node.document, revision.node.child("x-sunset").pointer)
    detail = f"x-sunset {before.isoformat()} → {after.isoformat()}"
    where = f"operation `{revision.label}`"
    recorder.add(
        "operation-sunset-brought-forward", where, detail, at_b, at_r, operation=revision.label, scope=Scope(base.key)
    )


def _major(side: Side) -> tuple[str, int | None]:
    version = side.root.child("info", "version").value
    match = _MAJOR.match(str(version)) if version is not None else None
    return str(version), int(match.group(1)) if match else None


def _path_versions(side: Side) -> set[int]:
    paths = side.root.get("paths")
    found = (_PATH_VERSION.match(path) for path in paths) if isinstance(paths, dict) else ()
    return {int(match.group(1)) for match in found if match}


def version_gate(recorder: Recorder, findings: list[Finding]) -> None:
    """Record "breaking change without a major version" when breaking findings lack a major bump + new /vN."""
    breaking = [finding for finding in findings if finding.level is Level.BREAKING]
    if not breaking or recorder.base is None or recorder.revision is None:
        return
    (old_version, old_major), (new_version, new_major) = _major(recorder.base), _major(recorder.revision)
    old_spaces, new_spaces = _path_versions(recorder.base), _path_versions(recorder.revision)
    bumped = old_major is not None and new_major is not None and new_major > old_major
    new_space = max(new_spaces, default=0) > max(old_spaces, default=0)
    if bumped and new_space:
        return
    missing = []
    if not bumped:
        missing.append(f"info.version {old_version} → {new_version} keeps its major version")
    if not new_space:
        highest = max(old_spaces, default=None)
        missing.append("no new /vN path space was added" + (f" (the highest is still /v{highest})" if highest else ""))
    checks = sorted({finding.check.id for finding in breaking})
    detail = f"{len(breaking)} breaking change{'s' if len(breaking) != 1 else ''} ({', '.join(checks)}), but " + (
        " and ".join(missing)
    )
    places = [
        (side.root.document, side.root.child("info", "version").pointer) for side in (recorder.base, recorder.revision)
    ]
    recorder.add(
        "breaking-change-without-major-version", "", detail, places[0], places[1], operation=None, scope=Scope()
    )
