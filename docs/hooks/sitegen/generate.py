"""Every generated page of the site, rendered from the repository's sources, with its nav entry.

The sources: the lint rule registry (guidelines), the service registry and each service's bundled
contract (service sections, API references) and the error catalogue with the contracts' responses
(one page per problem type).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen import error_catalogue, guidelines, promises
from sitegen.api_reference import ApiReference
from sitegen.contracts import Contract, load_catalogue, load_contracts
from sitegen.layout import insert_after
from sitegen.services import ServiceFacts, add_service_sections


def generate_pages(
    root: Path,
    nav: list[Any],
    rules: Sequence[guidelines.RuleLike],
    rule_groups: Sequence[guidelines.GroupLike],
    published: str,
    kit: tuple[Sequence[promises.PromiseLike], Sequence[tuple[str, Sequence[promises.PromiseLike]]]],
    services: Sequence[ServiceFacts],
) -> tuple[dict[str, str], list[Contract]]:
    """Markdown of every generated page by its path under docs/, and the contracts they document.

    ``nav`` gets their entries, and a section per registered service under *Services*.
    """
    base_uri = published + "errors/"
    catalogue = load_catalogue(root / error_catalogue.CATALOGUE_SOURCE)
    contracts = load_contracts([(s.name, s.contract) for s in services], root / "contracts", root)
    add_service_sections(nav, services, root / "docs")
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
    return pages, contracts
