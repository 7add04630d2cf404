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
    """Whether `pattern` can only match a whole string: `^` first, an unescaped `$` last, and every `|`
    inside a group (in `^A|B$` the branch `B$` may start anywhere, `A` end anywhere)."""
    if not pattern.startswith("^") or not pattern.endswith("$"):
        return False
    trailing_backslashes = len(pattern[:-1]) - len(pattern[:-1].rstrip("\\"))
    if trailing_backslashes % 2:
        return False  # `\$` is a dollar sign, not the end of the string
    depth, index, in_class = 0, 0, False
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
            return False
        index += 1
    return True


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str]:
    """The compiled ECMA-262 pattern; raises `re.error` when it is not valid."""
    return re.compile(to_python(pattern), re.ASCII)


def search(pattern: str, text: str) -> bool:
    """Whether `text` matches `pattern` as JSON Schema means it (a search, not an anchored match)."""
    return compiled(pattern).search(text) is not None
