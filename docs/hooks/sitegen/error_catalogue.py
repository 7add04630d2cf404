"""The error catalogue: one page per problem `type`, at the path its type URI names, and an index.

A problem's `type` is `https://dataservices.example.com/errors/<slug>/`; the page of `<slug>` is
generated at `errors/<slug>/` from `contracts/shared/problem-types.yaml`, with the operations of
every contract that document it, so a client that follows a `type` lands on what to do about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen import blocks
from sitegen.contracts import Contract, ProblemType, deref, operations, problem_example, problem_slugs

CATALOGUE_SOURCE = "contracts/shared/problem-types.yaml"


@dataclass(frozen=True, slots=True)
class ProblemUse:
    """An operation that documents a problem type in one of its responses."""

    contract: Contract
    operation_id: str
    method: str
    path: str
    status: str


def problem_uses(contracts: Sequence[Contract], catalogue: Mapping[str, ProblemType]) -> dict[str, list[ProblemUse]]:
    """For every slug, the operations whose responses document it (in contract order)."""
    uses: dict[str, list[ProblemUse]] = {slug: [] for slug in catalogue}
    for contract in contracts:
        for op in operations(contract.document):
            for status, response in (op.spec.get("responses") or {}).items():
                for slug in problem_slugs(contract.document, response, catalogue):
                    uses[slug].append(ProblemUse(contract, op.operation_id, op.method, op.path, str(status)))
    return uses


def index_page(catalogue: Mapping[str, ProblemType], base_uri: str) -> str:
    """``errors/index.md``: every problem type, by status."""
    rows = [
        (str(entry.status), f"[{blocks.code(entry.code)}]({entry.slug}.md)", entry.title, _services(entry))
        for entry in sorted(catalogue.values(), key=lambda e: (e.status, e.code))
    ]
    lines = [
        "# Error catalogue",
        "",
        "Every 4xx and 5xx answer of a data service is an RFC 9457 problem (`application/problem+json`)."
        f" Its `type` is a link into this catalogue, {blocks.code(base_uri + '<slug>/')}, and its `code` is the"
        " stable name programs switch on. Each page says what the problem means, how to resolve it, and which"
        " operations document it.",
        "",
        f"The catalogue is generated from {blocks.code(CATALOGUE_SOURCE)}; a test keeps that file equal to the"
        " problem classes of the services and to every example in the contracts.",
        "",
        *blocks.table(["status", "code", "title", "services"], rows),
    ]
    return "\n".join(lines) + "\n"


def problem_page(entry: ProblemType, uses: Sequence[ProblemUse], base_uri: str) -> str:
    """``errors/<slug>.md``: one problem type."""
    lines = [
        f"# {entry.title}",
        "",
        *blocks.table(
            ["field", "value"],
            [
                ("`type`", blocks.code(f"{base_uri}{entry.slug}/")),
                ("`status`", str(entry.status)),
                ("`code`", blocks.code(entry.code)),
                ("`title`", entry.title),
                ("services", _services(entry)),
            ],
        ),
        "## What it means",
        "",
        entry.description,
        "",
        "## How to resolve it",
        "",
        entry.resolution,
        "",
        "## Where the contracts document it",
        "",
    ]
    if uses:
        lines += blocks.table(
            ["contract", "operation", "request", "status"],
            [
                (
                    f"{use.contract.service} {use.contract.version}",
                    f"[{use.operation_id}](../{use.contract.api_page}#{use.operation_id})",
                    blocks.code(f"{use.method} {use.path}"),
                    use.status,
                )
                for use in uses
            ],
        )
    else:
        lines += ["No response of the current contracts names this code or shows it in an example.", ""]
        if "all" in entry.services:
            lines += [
                "Every service can answer it: it comes from the layer all services share"
                " (`dataservices.common`), not from one operation.",
                "",
            ]
    example = _example(entry, uses)
    if example is not None:
        lines += ["## Example", "", *blocks.json_block(example), ""]
    return "\n".join(lines) + "\n"


def _example(entry: ProblemType, uses: Sequence[ProblemUse]) -> dict[str, Any] | None:
    for use in uses:
        document = use.contract.document
        operation = deref(document, document["paths"][use.path][use.method.lower()])
        found = problem_example(document, operation["responses"][use.status], entry.slug)
        if found is not None:
            return found
    return None


def _services(entry: ProblemType) -> str:
    return "every service" if "all" in entry.services else ", ".join(entry.services)
