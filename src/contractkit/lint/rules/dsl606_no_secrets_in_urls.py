"""DSL-606: no card numbers, tokens, secrets or email addresses in paths or query strings."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import words
from contractkit.lint.registry import Rule

# Name words that mark a secret or personal value; `pageToken` and `cursorToken` are paging, not secrets.
SECRET_WORDS = frozenset({"cvc", "cvv", "email", "pan", "passwd", "password", "secret", "token"})
SECRET_PHRASES = (("api", "key"), ("card", "number"), ("access", "key"))
_PAGING_WORDS = frozenset({"continuation", "cursor", "next", "page"})

RULE = Rule(
    id="DSL-606",
    slug="no-secrets-in-urls",
    level="MUST",
    statement=(
        "No path or query parameter carries a card number, a token, a password or secret, or an email "
        "address (by its name or `format: email`); send such values in a header or the body."
    ),
    rationale=(
        "URLs end up in access logs, proxy logs, browser history and `Referer` headers; a card number there "
        "breaks PCI DSS, an email address there is personal data kept for as long as the logs."
    ),
    good_example="""\
parameters:
  - {name: userId, in: query, schema: {type: string, maxLength: 64}}
""",
    bad_example="""\
parameters:
  - {name: email, in: query, schema: {type: string, format: email}}
""",
)


def _sensitive(name: str, schema: object) -> bool:
    found = set(words(name))
    secret = found & SECRET_WORDS
    if secret == {"token"} and found & _PAGING_WORDS:
        secret = set()
    if secret or any(all(word in found for word in phrase) for phrase in SECRET_PHRASES):
        return True
    return isinstance(schema, dict) and schema.get("format") == "email"


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report path and query parameters (each definition once) that carry sensitive values."""
    for parameter in ctx.index.parameters:
        name = parameter.get("name")
        location = parameter.get("in")
        schema = ctx.follow(parameter.child("schema")).value
        if location in ("path", "query") and isinstance(name, str) and _sensitive(name, schema):
            yield Finding.at(
                RULE, parameter.child("name"), f"{location} parameter {name!r} puts a sensitive value in the URL"
            )
