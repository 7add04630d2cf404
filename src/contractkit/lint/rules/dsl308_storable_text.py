"""DSL-308 (review-only): request text is text every database can store."""

from __future__ import annotations

from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-308",
    slug="storable-text",
    level="MUST",
    statement=(
        "A string in a request never holds U+0000 (NUL) or a lone surrogate: a service refuses either with 422 "
        "`VALIDATION_FAILED` before any database sees it, whatever the field's schema allows, and no contract "
        "promises to store them. Free text states the characters it takes with a `pattern` where control "
        "characters are not wanted."
    ),
    rationale=(
        "PostgreSQL `text` cannot hold NUL, and a lone surrogate (JSON can write `\\ud800`) is not a Unicode "
        "character: no database stores it and no JSON encoder writes it back. Accepted, either fails at the "
        "insert as a 500, or on one engine and not the other. A JSON Schema `string` cannot say this without a "
        "pattern on every field, so the rule is the platform's, once: the services' request validation applies "
        "it, `contractkit verify` generates no NUL, and the behavioural kit checks the refusals (`KIT-405`, "
        "`KIT-406`). A reviewer checks that a contract does not promise the opposite."
    ),
    good_example="""\
name:
  type: string
  maxLength: 120
  description: A name for people. Like every request string, it never holds U+0000.
""",
    bad_example="""\
payload:
  type: string
  description: Any bytes, NUL included, stored as sent.
""",
    review_only=True,
)
