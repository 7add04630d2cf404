"""DSL-607 (review-only): callers see only their own tenant's data."""

from __future__ import annotations

from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-607",
    slug="tenant-isolation",
    level="MUST",
    statement=(
        "Where data belongs to a tenant or a user, the contract says which caller may read or change it, and "
        "answers another caller's resource with 404, never with its data."
    ),
    rationale=(
        "Object-level authorization failures (OWASP API1) are the most common API breach; scopes say what a "
        "client may do, not to whose data. Which data is whose is a domain decision for review (Schemathesis' "
        "object_level_authorization check then tests it)."
    ),
    good_example="""\
description: Returns the wallet if it belongs to the calling client's tenant, else 404.
""",
    bad_example="""\
description: Returns the wallet with this id.
""",
    review_only=True,
)
