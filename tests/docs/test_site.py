"""The built site: strict, self-contained, complete, and generated from the sources it documents.

These tests read the HTML that `mkdocs build --strict` wrote; the browser tests
(`test_browser.py`) check what a reader sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from contractkit.bundle import bundle
from contractkit.discovery import find_contracts
from contractkit.lint.registry import all_rules
from contractkit.loading import load_document
from dataservices.common.service_spec import ServiceSpec
from dataservices.common.settings import AuthSettings, ServiceSettings
from dataservices.registry import SERVICES
from tests.docs.docsite import ROOT, SITE_URL, BuiltSite
from tests.docs.site_html import read_page

# Hosts that serve fonts, scripts or styles; the site must never load from them.
CDN_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com")
# A page with less text than this is a stub, whatever its title says.
MIN_ARTICLE_CHARACTERS = 400
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|lorem ipsum|coming soon|placeholder)\b", re.IGNORECASE)
# The strict build of this site takes about a second on a two-core machine.
CATALOGUE = load_document(ROOT / "contracts/shared/problem-types.yaml").data
CONTRACTS = find_contracts([ROOT / "contracts"])


def _site_pages(site: BuiltSite) -> list[str]:
    """Every page of the site, from the sitemap MkDocs writes (as paths like ``errors/``)."""
    tree = ElementTree.parse(site.root / "sitemap.xml")
    locations = [element.text or "" for element in tree.iter() if element.tag.endswith("loc")]
    return [location.removeprefix(SITE_URL) for location in locations]


def test_the_strict_build_passes(built_site: BuiltSite) -> None:
    assert (built_site.root / "index.html").is_file()


def test_no_page_loads_a_font_script_or_style_from_another_host(built_site: BuiltSite) -> None:
    for html in built_site.root.rglob("*.html"):
        for url in read_page(html).loads:
            parts = urlsplit(url)
            where = f"{html.relative_to(built_site.root)} loads {url}"
            assert not parts.scheme, where
            assert not parts.netloc, where
        text = html.read_text(encoding="utf-8")
        assert not [host for host in CDN_HOSTS if host in text], html


def test_no_stylesheet_imports_from_another_host(built_site: BuiltSite) -> None:
    for css in built_site.root.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"(url\(|@import)\s*['\"]?(https?:)?//", text), css
        assert not [host for host in CDN_HOSTS if host in text], css


def test_mermaid_is_shipped_with_its_license_and_loaded_by_every_page(built_site: BuiltSite) -> None:
    # Material's bundle falls back to a CDN copy of Mermaid only when no global `mermaid` exists.
    script = built_site.root / "assets/javascripts/mermaid.min.js"
    assert script.stat().st_size > 1_000_000
    assert "MIT" in (built_site.root / "assets/javascripts/mermaid.LICENSE.txt").read_text(encoding="utf-8")
    for path in _site_pages(built_site):
        loads = read_page(built_site.page(path)).loads
        assert any(url.endswith("assets/javascripts/mermaid.min.js") for url in loads), path


def test_every_page_has_real_content(built_site: BuiltSite) -> None:
    pages = _site_pages(built_site)
    assert len(pages) > 40
    for path in pages:
        facts = read_page(built_site.page(path))
        assert facts.h1, f"{path} has no title"
        assert len(facts.article_text) >= MIN_ARTICLE_CHARACTERS, f"{path} has almost no content"
        assert not PLACEHOLDER.search(facts.article_text), f"{path}: {PLACEHOLDER.search(facts.article_text)}"


@pytest.mark.parametrize("slug", list(CATALOGUE))
def test_every_problem_type_resolves_to_its_catalogue_page(built_site: BuiltSite, slug: str) -> None:
    entry = CATALOGUE[slug]
    facts = read_page(built_site.page(f"errors/{slug}/"))
    assert facts.h1 == entry["title"]
    assert entry["code"] in facts.article_text
    assert f"{SITE_URL}errors/{slug}/" in facts.article_text


def test_every_type_in_the_contracts_is_in_the_catalogue_index(built_site: BuiltSite) -> None:
    text = (built_site.page("errors/")).read_text(encoding="utf-8")
    types = set(re.findall(r"https://dataservices\.example\.com/errors/([a-z0-9-]+)/", _all_contract_text()))
    assert types, "the contracts show no problem types"
    for slug in types:
        assert f'href="{slug}/"' in text, slug


def _all_contract_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "contracts").rglob("*.yaml"))


def test_every_rule_has_its_section_where_its_docs_url_points(built_site: BuiltSite) -> None:
    rules = all_rules()
    assert rules, "the rule registry is empty"
    for rule in rules:
        url = urlsplit(rule.docs_url)
        facts = read_page(built_site.page(url.path))
        assert url.fragment in facts.headings, f"{rule.id}: no section #{url.fragment} on {url.path}"
        assert rule.id in facts.headings[url.fragment]
    index = read_page(built_site.page("guidelines/")).article_text
    assert all(rule.id in index for rule in rules)


def test_every_kit_promise_has_its_row_where_its_docs_url_points(built_site: BuiltSite) -> None:
    from contractkit.kit import promises_for
    from contractkit.kit.services import SERVICE_KITS

    promises = {p.id: p for service in SERVICE_KITS for p in promises_for(service)}
    assert len(promises) > 40
    for promise in promises.values():
        url = urlsplit(promise.docs_url)
        facts = read_page(built_site.page(url.path))
        assert url.fragment in facts.ids, f"{promise.id}: no row #{url.fragment} on {url.path}"
        assert promise.id in facts.article_text


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda path: path.parent.name)
def test_the_api_reference_documents_every_operation(built_site: BuiltSite, contract: Path) -> None:
    document = bundle(contract)
    facts = read_page(built_site.page(f"services/{contract.parent.name}/api/"))
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            op_id = operation["operationId"]
            assert op_id in facts.ids, f"no section for {op_id}"
            assert f"{method.upper()} {path}" in facts.article_text
    for name in document["components"]["schemas"]:
        assert f"schema-{name.lower()}" in facts.ids, name


def test_the_auth_settings_and_those_every_service_has_are_documented() -> None:
    text = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    for name in AuthSettings.model_fields:
        assert f"`DATASERVICES_AUTH_{name.upper()}`" in text, f"DATASERVICES_AUTH_{name.upper()} is not documented"
    for name in ServiceSettings.model_fields:
        assert f"`DATASERVICES_<NAME>_{name.upper()}`" in text, f"DATASERVICES_<NAME>_{name.upper()} is not documented"


@pytest.mark.parametrize("spec", list(SERVICES), ids=lambda spec: spec.name)
def test_each_service_is_listed_with_its_own_settings(built_site: BuiltSite, spec: ServiceSpec[Any]) -> None:
    operations = read_page(built_site.page("operations/")).article_text
    assert f"DATASERVICES_{spec.name.upper()}_*" in operations
    assert str(spec.default_port) in operations
    for name in spec.settings.model_fields.keys() - ServiceSettings.model_fields.keys():
        assert f"{spec.env_prefix}{name.upper()}" in operations, name
    services = read_page(built_site.page("services/"))
    assert spec.title in services.article_text
    assert f"services/{spec.name}/api/" in _site_pages(built_site)


def test_every_contract_is_served_by_a_registered_service() -> None:
    served = {spec.contract_path(ROOT / "contracts").resolve() for spec in SERVICES}
    assert {path.resolve() for path in CONTRACTS} == served
