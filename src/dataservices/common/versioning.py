"""Optimistic concurrency (brief §4): a resource's version as its ETag, and the `If-Match` it must carry.

A single resource answers with a strong ETag made from its version number. A change names the version it
was made against in `If-Match`; a change against any other version is refused with 412, so two editors
never overwrite each other. A missing `If-Match` is refused with 428 before the route runs (the contract
marks the header required; `dataservices.common.validation` answers its absence).
"""

from __future__ import annotations

from dataservices.common.problems import PreconditionFailed


def etag(version: int) -> str:
    """The strong ETag of a version number."""
    return f'"{version}"'


def check_if_match(if_match: str, version: int, what: str) -> None:
    """Refuse with 412 unless `If-Match` names the current version.

    The contract allows one strong ETag, so a strong comparison of the one value is all RFC 9110 asks.
    """
    if if_match.strip() != etag(version):
        raise PreconditionFailed(f"The {what} is at version {etag(version)}, not {if_match.strip()}.")


def changed_meanwhile(what: str, if_match: str) -> PreconditionFailed:
    """The 412 for a change whose version was current when checked but not when written (a lost race)."""
    return PreconditionFailed(f"The {what} changed while this change was applied; it is past {if_match}.")
