"""Waivers: accepted findings, listed in one reviewed file with a reason, an owner and an expiry.

Contracts carry no inline ignore markers; every exception to the guideline is in ``waivers.yaml``
(found next to the contracts, or given with ``--waivers``), where a reviewer sees them all. A
waived finding is still reported, marked waived; an expired waiver waives nothing and is an error
itself; a waiver that matches no finding of a linted file is a warning, so stale ones get removed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from contractkit.lint.finding import Result, WaiverInfo
from contractkit.lint.registry import GUIDE, Severity
from contractkit.loading import Document, LoadError, LoadPolicy, UnreadableFile, load_document

WAIVERS_FILE = "waivers.yaml"
_FIELDS = ("rule", "file", "pointer", "reason", "owner", "expires")
_RULE_ID = re.compile(r"^DSL-\d{3}$")


@dataclass(frozen=True, slots=True)
class WaiverCheck:
    """A check about the waivers themselves; reported like a rule, documented on the waivers page."""

    id: str
    statement: str
    severity: Severity

    @property
    def slug(self) -> str:
        """Waiver checks are named by their id."""
        return self.id

    @property
    def docs_url(self) -> str:
        """The waivers page of the guideline, at this check's anchor."""
        return f"{GUIDE.base_url}waivers/#{self.id}"


WAIVER_EXPIRED = WaiverCheck("waiver-expired", "A waiver is past its expiry date.", Severity.ERROR)
WAIVER_UNMATCHED = WaiverCheck("waiver-unmatched", "A waiver matches no finding.", Severity.WARNING)
WAIVER_CHECKS = (WAIVER_EXPIRED, WAIVER_UNMATCHED)


class WaiverFileError(LoadError):
    """The waivers file cannot be read, or an entry is incomplete or malformed."""


@dataclass(frozen=True, slots=True)
class Waiver:
    """One accepted finding: which rule, where (file and JSON pointer), why, who, until when."""

    rule: str
    file: Path
    pointer: str
    reason: str
    owner: str
    expires: date
    # Where the entry itself is written, for reporting expired or unmatched waivers.
    source: Path
    source_pointer: str
    line: int
    column: int

    def matches(self, result: Result) -> bool:
        """Whether this waiver names ``result``'s rule, file and pointer."""
        return (
            result.rule_id == self.rule
            and result.pointer == self.pointer
            and _normal(result.file) == _normal(self.file)
        )


def find_waivers_file(contract: Path, root: Path | None = None) -> Path | None:
    """The nearest ``waivers.yaml`` in the contract's directory or one of its parents up to ``root``."""
    directory = _normal(contract).parent
    top = _normal(root) if root is not None else None
    for folder in (directory, *directory.parents):
        if top is not None and folder != top and top not in folder.parents:
            return None
        candidate = folder / WAIVERS_FILE
        if os.path.lexists(candidate):
            return candidate
    return None


def load_waivers(path: Path, policy: LoadPolicy | None = None) -> list[Waiver]:
    """Read a waivers file (``waivers: [...]``); raises :class:`WaiverFileError` for anything wrong in it.

    The file is read like a contract (regular file, inside the root, within the limits): it is
    found next to contracts a pull request may change.
    """
    try:
        document = load_document(path, policy)
    except UnreadableFile as exc:
        raise WaiverFileError(exc.path, f"waivers file: {exc.message}") from None
    data = document.data
    entries = data.get("waivers") if isinstance(data, dict) else None
    if data is None or (isinstance(data, dict) and entries is None):
        return []
    if not isinstance(entries, list):
        raise WaiverFileError(document.path, "expected a mapping with a `waivers` list")
    waivers = []
    for index, entry in enumerate(entries):
        waivers.append(_waiver(document, index, entry))
    return waivers


def _waiver(document: Document, index: int, entry: Any) -> Waiver:
    source, source_pointer = document.path, f"/waivers/{index}"
    where = document.position(source_pointer)
    line, column = where.line, where.column

    def fail(message: str) -> WaiverFileError:
        return WaiverFileError(source, f"waiver: {message}", line, column)

    if not isinstance(entry, dict):
        raise fail("each waiver is a mapping of " + ", ".join(_FIELDS))
    missing = [name for name in _FIELDS if not isinstance(entry.get(name), str | date) or not str(entry[name]).strip()]
    if missing:
        raise fail(f"missing or empty {', '.join(missing)}")
    if not _RULE_ID.match(entry["rule"]):
        raise fail(f"rule {entry['rule']!r} is not a rule id like DSL-301")
    pointer = entry["pointer"]
    if pointer != "/" and not pointer.startswith("/"):
        raise fail(f"pointer {pointer!r} must be a JSON pointer starting with '/'")
    expires = entry["expires"]
    try:
        expiry = expires if isinstance(expires, date) else date.fromisoformat(expires)
    except ValueError:
        raise fail(f"expires {expires!r} is not a date (YYYY-MM-DD)") from None
    return Waiver(
        rule=entry["rule"],
        file=_normal(source.parent / entry["file"]),
        pointer="" if pointer == "/" else pointer,
        reason=entry["reason"].strip(),
        owner=entry["owner"].strip(),
        expires=expiry,
        source=source,
        source_pointer=source_pointer,
        line=line,
        column=column,
    )


def apply_waivers(
    results: Sequence[Result], waivers: Sequence[Waiver], linted: Collection[Path], today: date
) -> list[Result]:
    """Mark waived results, and add a result for each expired waiver and each one that matches nothing.

    Only waivers about files linted in this run are judged unmatched, so linting one contract does
    not flag the waivers of another.
    """
    linted_files = {_normal(path) for path in linted}
    out: list[Result] = []
    used: set[int] = set()
    candidates: dict[tuple[str, str], list[int]] = {}
    for index, waiver in enumerate(waivers):
        if waiver.expires >= today:
            candidates.setdefault((waiver.rule, waiver.pointer), []).append(index)
    if not candidates:  # the usual run: nothing to mark among tens of thousands of results
        out.extend(results)
    for result in results if candidates else ():
        waiver_index = next(
            (i for i in candidates.get((result.rule_id, result.pointer), ()) if waivers[i].matches(result)), None
        )
        if waiver_index is None:
            out.append(result)
            continue
        used.add(waiver_index)
        waiver = waivers[waiver_index]
        out.append(result._replace(waiver=WaiverInfo(waiver.reason, waiver.owner, waiver.expires)))
    for index, waiver in enumerate(waivers):
        named = f"{waiver.rule} at {os.path.relpath(waiver.file, waiver.source.parent)}#{waiver.pointer or '/'}"
        if waiver.expires < today:
            message = f"waiver of {named} expired on {waiver.expires} (owner: {waiver.owner}); fix or renew it"
            out.append(_about(waiver, WAIVER_EXPIRED, message))
        elif index not in used and _normal(waiver.file) in linted_files:
            out.append(_about(waiver, WAIVER_UNMATCHED, f"waiver of {named} matches no finding; remove it"))
    return out


def _about(waiver: Waiver, check: WaiverCheck, message: str) -> Result:
    return Result(
        check.id,
        check.severity,
        message,
        waiver.source,
        waiver.line,
        waiver.column,
        waiver.source_pointer,
        check.docs_url,
    )


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(Path(path).absolute()))
