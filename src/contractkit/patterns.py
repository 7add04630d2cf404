"""JSON Schema `pattern`s with their ECMA-262 meaning, on Python's `re`.

JSON Schema patterns are ECMA-262 regular expressions. Python's `re` reads most of them the same
way, with two differences that let input through: `$` also matches before a final newline (so
`^[A-Z]+$` accepts "SUMMER10\\n"), and `\\d` and `\\w` match every Unicode digit and letter. Here `$`
outside a character class becomes `\\Z` (the end of the string, nothing else) and patterns compile
with `re.ASCII`, as ECMA-262's `\\d` and `\\w` are ASCII.
"""

from __future__ import annotations

import re
from functools import lru_cache


def to_python(pattern: str) -> str:
    """The Python spelling of an ECMA-262 pattern (only `$` needs rewriting)."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        index += 1
    return "".join(out)


def anchored(pattern: str) -> bool:
    """Whether `pattern` can only match a whole string: each top-level branch starts with `^` and ends with an
    unescaped `$` (in `^A|B$` the branch `B$` may start anywhere and `A` end anywhere; `^(A|B)$` is whole)."""
    return all(_anchored_branch(branch) for branch in _top_level_branches(pattern))


def _top_level_branches(pattern: str) -> list[str]:
    """The pattern split at each `|` outside groups and character classes."""
    branches: list[str] = []
    depth, start, index, in_class = 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    branches.append(pattern[start:])
    return branches


def _anchored_branch(branch: str) -> bool:
    if not branch.startswith("^") or not branch.endswith("$"):
        return False
    body = branch[:-1]
    backslashes = len(body) - len(body.rstrip("\\"))
    return backslashes % 2 == 0  # `\$` is a dollar sign, not the end of the string


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str]:
    """The compiled ECMA-262 pattern; raises `re.error` when it is not valid."""
    return re.compile(to_python(pattern), re.ASCII)


def search(pattern: str, text: str) -> bool:
    """Whether `text` matches `pattern` as JSON Schema means it (a search, not an anchored match)."""
    return compiled(pattern).search(text) is not None
