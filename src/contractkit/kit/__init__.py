"""The behavioural conformance kit: the contract's promises, checked black-box over HTTP.

Schemathesis checks that answers have the documented shapes; the kit checks that an implementation
keeps the promises that make the service worth having (auth, idempotency, limits under concurrency,
state machines, money rules, HTTP semantics, hostile input). It takes a base URL and credentials,
makes its own data through the API under a random run id, and never imports an implementation.
"""

from __future__ import annotations

from contractkit.kit.credentials import Credentials, CredentialsError, FixedToken, SigningKey, TokenCommand
from contractkit.kit.options import KitOptions
from contractkit.kit.promises import Category, Promise
from contractkit.kit.report import result_lines, summary_lines, write_junit
from contractkit.kit.runner import KitReport, Outcome, PromiseResult, promises_for, run_kit, selected_ids

__all__ = [
    "Category",
    "Credentials",
    "CredentialsError",
    "FixedToken",
    "KitOptions",
    "KitReport",
    "Outcome",
    "Promise",
    "PromiseResult",
    "SigningKey",
    "TokenCommand",
    "promises_for",
    "result_lines",
    "run_kit",
    "selected_ids",
    "summary_lines",
    "write_junit",
]
