"""Name shapes the guideline asks for (camelCase, kebab-case, UPPER_SNAKE) and the word lists its heuristics use."""

from __future__ import annotations

import re

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
# Hyphenated-Pascal-Case: `Idempotency-Key`, `ETag`, `WWW-Authenticate`.
HEADER_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*(?:-[A-Z0-9][A-Za-z0-9]*)*$")
VERSION_SEGMENT = re.compile(r"^v\d+$")
PATH_PARAMETER = re.compile(r"^\{[^{}]+\}$")

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

# Plural nouns that do not end in -s, and nouns with no plural, accepted as collection names.
IRREGULAR_PLURALS = frozenset(
    {"children", "criteria", "data", "feedback", "indices", "media", "men", "metadata", "people", "women"}
)
# Singular nouns that end in -s.
_SINGULAR_ENDINGS = ("ss", "us", "is")


def words(name: str) -> list[str]:
    """The lower-case words of a camelCase, PascalCase, snake_case or kebab-case name."""
    return [word.lower() for word in _WORDS.findall(name)]


def last_word(name: str) -> str:
    """The last word of a name (``"orderAmount"`` → ``"amount"``), ``""`` for none."""
    found = words(name)
    return found[-1] if found else ""


def is_plural(segment: str) -> bool:
    """Whether a path segment reads as a plural noun (its last word ends in -s, or is a known plural)."""
    word = last_word(segment)
    if word in IRREGULAR_PLURALS:
        return True
    return word.endswith("s") and not word.endswith(_SINGULAR_ENDINGS)


def is_static_segment(segment: str) -> bool:
    """A literal path segment: not a `{parameter}` and not empty."""
    return bool(segment) and not PATH_PARAMETER.match(segment)


def path_segments(path: str) -> list[str]:
    """The segments of a path template, without the empty one before the leading slash."""
    return path.strip("/").split("/") if path.strip("/") else []
