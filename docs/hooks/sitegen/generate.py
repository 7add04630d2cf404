"""Every generated page of the site, rendered from the repository's sources, with its nav entry.

The sources: the lint rule registry (guidelines), the bundled contracts (API references) and the
error catalogue with the contracts' responses (one page per problem type).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen import error_catalogue, guidelines, promises
from sitegen.api_reference import ApiReference
from sitegen.contracts import load_catalogue, load_contracts
from sitegen.layout import insert_after


def generate_pages(
    root: Path,
    nav: list[Any],
    rules: Sequence[guidelines.RuleLike],
    rule_groups: Sequence[guidelines.GroupLike],
    published: str,
    kit: tuple[Sequence[promises.PromiseLike], Sequence[tuple[str, Sequence[promises.PromiseLike]]]],
) -> dict[str, str]:
    """Markdown of every generated page by its path under docs/; ``nav`` gets their entries."""
    base_uri = published + "errors/"
    catalogue = load_catalogue(root / error_catalogue.CATALOGUE_SOURCE)
    contracts = load_contracts(root / "contracts", root)
    pages: dict[str, str] = {}

    groups = guidelines.group_rules(rules, rule_groups, published)
    pages["guidelines/index.md"] = guidelines.index_page(groups)
    for group in groups:
        pages[group.page] = guidelines.group_page(group)
    insert_after(nav, "guidelines/index.md", [{group.title: group.page} for group in groups])

    for contract in contracts:
        errors_prefix = "../" * contract.api_page.count("/") + "errors/"
        pages[contract.api_page] = ApiReference(contract, catalogue, errors_prefix).render()
        insert_after(nav, f"services/{contract.service}/index.md", [{"API reference": contract.api_page}])

    generic, per_service = kit
    pages[promises.PAGE] = promises.promises_page(generic, per_service, published)
    insert_after(nav, "testing/run-the-kit.md", [{"Promises": promises.PAGE}])

    uses = error_catalogue.problem_uses(contracts, catalogue)
    pages["errors/index.md"] = error_catalogue.index_page(catalogue, base_uri)
    for slug, entry in catalogue.items():
        pages[entry.page] = error_catalogue.problem_page(entry, uses[slug], base_uri)
    by_status = sorted(catalogue.values(), key=lambda entry: entry.status)
    insert_after(nav, "errors/index.md", [{f"{e.status} {e.title}": e.page} for e in by_status])
    return pages
