"""The documentation site in a real browser: Debian's Chromium, offline, on 127.0.0.1.

Every page of these tests runs with a route that lets requests to 127.0.0.1 through and blocks and
records any other (the `page` fixture asserts none happened), so the site is proven to work without
a CDN. Search is typed key by key (`press_sequentially`): Material's search box listens to key events.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from contractkit.bundle import bundle
from contractkit.lint.registry import all_rules
from tests.docs.docsite import ROOT, RequestLog, SiteServer
from tests.fixtures.coupon_service import RunningCouponService

# Generous for a cold Chromium on a busy two-core machine; a rendered page needs well under a second.
TIMEOUT_MS = 15_000
TOP_LEVEL_PAGES = (
    "",
    "architecture/",
    "decisions/",
    "guidelines/",
    "services/",
    "errors/",
    "migration/",
    "testing/",
    "operations/",
    "tools/",
)


def _heading(locator: Any) -> str:
    """A heading's text without the permalink sign MkDocs appends."""
    return str(locator.inner_text(timeout=TIMEOUT_MS)).replace("¶", "").strip()


def test_the_home_page_renders_with_tabs_theme_toggle_and_code_copy(page: Any, site_server: SiteServer) -> None:
    page.goto(site_server.at(""))
    assert _heading(page.locator("article h1")) == "Data Service Contracts"
    tabs = page.locator(".md-tabs__link")
    assert tabs.count() >= 9
    assert "Architecture" in tabs.all_inner_texts()
    page.locator("pre button[title='Copy to clipboard']").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    assert page.locator("body").get_attribute("data-md-color-scheme") != scheme


def test_search_finds_a_guideline_by_its_rule_id_and_opens_its_section(page: Any, site_server: SiteServer) -> None:
    rule = all_rules()[0]
    page.goto(site_server.at(""))
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(rule.id, delay=30)
    result = page.locator(f"a.md-search-result__link[href*='#{rule.anchor}']").first
    result.wait_for(timeout=TIMEOUT_MS)
    result.click()
    # Material adds `?h=<terms>` to highlight the search terms on the page it opens.
    page.wait_for_url(
        lambda url: (
            urlsplit(url).path.endswith(f"/guidelines/{rule.group_slug}/") and urlsplit(url).fragment == rule.anchor
        ),
        timeout=TIMEOUT_MS,
    )
    heading = page.locator(f"h2[id='{rule.anchor}']")
    assert rule.id in _heading(heading)
    assert heading.is_visible()


def test_the_coupon_api_reference_shows_its_operations(page: Any, site_server: SiteServer) -> None:
    document = bundle(ROOT / "contracts/coupon/openapi.yaml")
    page.goto(site_server.at("services/coupon/api/"))
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                heading = page.locator(f"h3[id='{operation['operationId']}']")
                assert _heading(heading) == operation["summary"]
    page.goto(site_server.at("services/coupon/api/#redeemCoupon"))
    assert page.locator("h3[id='redeemCoupon']").is_visible()
    assert page.get_by_text("POST /v1/coupons/{couponId}/redemptions").first.is_visible()


def test_a_mermaid_diagram_renders(page: Any, site_server: SiteServer) -> None:
    page.goto(site_server.at("services/coupon/"))
    # Material swaps each `pre.mermaid` for a `div.mermaid` holding the drawing in a closed shadow root.
    diagram = page.locator("div.mermaid").first
    diagram.wait_for(state="visible", timeout=TIMEOUT_MS)
    box = diagram.bounding_box()
    assert box is not None
    assert box["height"] > 100
    assert page.locator("pre.mermaid").count() == 0


@pytest.fixture(scope="module", autouse=True)
def coupon_service_first(coupon_service_module: RunningCouponService) -> RunningCouponService:
    """The coupon service, started before Chromium: its migrations call `asyncio.run()`, which cannot
    run while Playwright's synchronous API holds the thread's event loop."""
    return coupon_service_module


def test_the_error_page_of_a_problem_the_running_service_returns_exists(
    page: Any, site_server: SiteServer, coupon_service_first: RunningCouponService
) -> None:
    with coupon_service_first.client("coupon:read") as client:
        answer = client.get("/v1/coupons/cpn_00000000000000000000000000")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    page.goto(site_server.local(problem["type"]))
    assert _heading(page.locator("article h1")) == problem["title"]
    assert page.get_by_text(problem["code"]).first.is_visible()
    assert httpx.get(site_server.local(problem["type"])).status_code == 200


def test_no_request_leaves_127_0_0_1(page: Any, site_server: SiteServer, requests_made: RequestLog) -> None:
    for path in TOP_LEVEL_PAGES:
        page.goto(site_server.at(path))
        page.locator("article h1").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("idempotency", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=TIMEOUT_MS)
    assert any(url.endswith("mermaid.min.js") for url in requests_made.local)
    assert any("search" in url for url in requests_made.local), "the search index was not loaded"
    assert requests_made.outside == []
