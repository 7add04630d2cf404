"""Declared failures: the promises an implementation knows it breaks, each with its reason.

A team adopting the kit lists them in a YAML file (`PROMISE-ID: reason`) so it can run the kit in CI
before it passes everything. A declared SHOULD failure no longer fails the run; a MUST failure still
does, declared or not, and the report shows the reason beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints and types-PyYAML is not locked

_PROMISE_ID = re.compile(r"^[A-Z]+-[1-9][0-9]{2}$")


class ExpectedFailuresError(ValueError):
    """The file is not a mapping of known promise ids to reasons."""


def load_expected_failures(path: Path, known: Iterable[str]) -> dict[str, str]:
    """Read `path` and check every id names a promise of the kit."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ExpectedFailuresError(f"{path}: cannot read it: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ExpectedFailuresError(f"{path}: expected a mapping of promise ids to reasons")
    declared: dict[str, str] = {}
    known_ids = set(known)
    for key, reason in data.items():
        if not isinstance(key, str) or not _PROMISE_ID.match(key):
            raise ExpectedFailuresError(f"{path}: {key!r} is not a promise id like KIT-101")
        if key not in known_ids:
            raise ExpectedFailuresError(f"{path}: {key} is not a promise of this contract's kit")
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectedFailuresError(f"{path}: {key} needs a reason")
        declared[key] = reason.strip()
    return declared
