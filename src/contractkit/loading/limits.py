"""How much one contract may make contractkit read and build: sizes, files, nesting, expansion, references.

A pull request can bring any text. Each limit below turns a way such text could make a command run
for ever or fill memory into a finding with exit code 2. The defaults are far above the largest real
descriptions measured (GitHub's 13 MB REST description: 1 file, nesting 22, 10,460 ``$ref``\\ s;
Cloudflare's: nesting 29), so honest contracts never meet them. Each one is set by an environment
variable, read only by the command line (:func:`limits_from_environment`); the library takes a
:class:`Limits` value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

MIB = 1024 * 1024
# The most nesting every command follows without meeting Python's recursion limit (tested at it).
DEPTH_CEILING = 200


@dataclass(frozen=True, slots=True)
class Limits:
    """The most one contract (its root file and every file its refs reach) may hold."""

    # Bytes in one file; read at most this plus one byte, so /dev/zero-sized input costs nothing.
    file_size: int = 32 * MIB
    # Bytes in all the files of one contract: with `files`, what bounds memory (about 20 bytes per byte of JSON).
    total_size: int = 64 * MIB
    # Files one contract may reach through its refs.
    files: int = 1_000
    # Nesting of mappings and lists in any file, and of a bundled document. Contractkit's own walks,
    # the OpenAPI validator and the diff recurse through nested schemas; 64 keeps all of them far from
    # Python's recursion limit (1,000 frames) while real descriptions stay under 30. It can be raised
    # to DEPTH_CEILING at most: bundling 400 levels already met the recursion limit.
    depth: int = 64
    # Nodes that YAML aliases and merge keys add to one file when expanded, and that `bundle` adds by
    # copying one referenced object into several places (path items and other objects it inlines).
    # An alias bomb (ten levels of ten aliases) would expand to ten billion.
    expansion: int = 100_000
    # `$ref` keys in all the files of one contract (literal data included).
    refs: int = 100_000

    def __post_init__(self) -> None:
        for item in fields(self):
            if getattr(self, item.name) < 1:
                raise ValueError(f"the {item.name} limit must be at least 1")
        if self.depth > DEPTH_CEILING:
            raise ValueError(f"the depth limit can be at most {DEPTH_CEILING}")


@dataclass(frozen=True, slots=True)
class Setting:
    """One limit as a user sets it: the environment variable, what it counts, and its unit."""

    field: str
    variable: str
    counts: str
    in_bytes: bool = False

    @property
    def default(self) -> int:
        """The limit's value when the variable is not set."""
        value: int = getattr(Limits(), self.field)
        return value


SETTINGS = (
    Setting("file_size", "CONTRACTKIT_MAX_FILE_SIZE", "bytes in one file", in_bytes=True),
    Setting("total_size", "CONTRACTKIT_MAX_TOTAL_SIZE", "bytes in all the files of one contract", in_bytes=True),
    Setting("files", "CONTRACTKIT_MAX_FILES", "files one contract reaches through its refs"),
    Setting("depth", "CONTRACTKIT_MAX_DEPTH", "levels of nested mappings and lists"),
    Setting("expansion", "CONTRACTKIT_MAX_EXPANSION", "nodes added by YAML aliases, or by inlining in a bundle"),
    Setting("refs", "CONTRACTKIT_MAX_REFS", "`$ref`s in all the files of one contract"),
)
assert [setting.field for setting in SETTINGS] == [item.name for item in fields(Limits)], "one setting per limit"

_BY_FIELD = {setting.field: setting for setting in SETTINGS}
_AMOUNT = re.compile(r"^\s*(\d+)\s*([KMG]i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"K": 1024, "M": MIB, "G": 1024 * MIB}


class LimitSettingError(ValueError):
    """An environment variable holds something that is not a limit."""


def setting(field: str) -> Setting:
    """The setting of the limit named ``field`` (a :class:`Limits` attribute)."""
    return _BY_FIELD[field]


def limits_from_environment(environ: Mapping[str, str]) -> Limits:
    """:class:`Limits` with every ``CONTRACTKIT_MAX_*`` variable set in ``environ`` applied.

    Values are positive whole numbers; sizes may end in K, M or G (binary: ``64M`` is 64 MiB).
    Raises :class:`LimitSettingError` naming the variable for anything else.
    """
    changes: dict[str, int] = {}
    for item in SETTINGS:
        text = environ.get(item.variable)
        if text is None or not text.strip():
            continue
        match = _AMOUNT.match(text)
        if match is None or (match.group(2) and not item.in_bytes):
            unit = "a number of bytes, optionally ending in K, M or G" if item.in_bytes else "a whole number"
            raise LimitSettingError(f"{item.variable}={text!r}: expected {unit}")
        value = int(match.group(1)) * (_UNITS[match.group(2)[0].upper()] if match.group(2) else 1)
        if value < 1:
            raise LimitSettingError(f"{item.variable}={text!r}: a limit must be at least 1")
        if item.field == "depth" and value > DEPTH_CEILING:
            raise LimitSettingError(
                f"{item.variable}={text!r}: nesting can be followed {DEPTH_CEILING} levels deep at most"
            )
        changes[item.field] = value
    return replace(Limits(), **changes)


def describe(field: str, limit: int) -> str:
    """``CONTRACTKIT_MAX_FILES=1000``: how a finding names the limit it met, so the reader can raise it."""
    return f"{setting(field).variable}={limit}"
