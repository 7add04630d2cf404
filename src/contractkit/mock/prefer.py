"""The `Prefer` header (RFC 7240) a client sends to pick the mock's answer, as Prism reads it.

`Prefer: code=409` asks for the operation's documented 409; `Prefer: example=belowMinimum` for the
example of that name; both may be combined (`Prefer: code=200, example=belowMinimum`). Other
preferences are ignored, as RFC 7240 allows.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFER = "prefer"
PREFERENCE_APPLIED = "Preference-Applied"


@dataclass(frozen=True, slots=True)
class Preference:
    """What the client asked for: a status code and an example name, either or both."""

    code: str | None = None
    example: str | None = None

    @property
    def any(self) -> bool:
        return self.code is not None or self.example is not None


def parse_prefer(values: list[str]) -> Preference:
    """The `code` and `example` preferences of every `Prefer` header; the first of each wins (RFC 7240 §2)."""
    found: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            token, _, rest = item.strip().partition("=")
            name = token.strip().lower()
            # A preference's own parameters follow a `;`; the mock reads none of them.
            setting = rest.split(";", 1)[0].strip().strip('"')
            if name in ("code", "example") and setting and name not in found:
                found[name] = setting
    return Preference(code=found.get("code"), example=found.get("example"))
