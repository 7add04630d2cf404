"""The generators of the site's reference pages (`docs/hooks/sitegen`), on small inputs.

`conftest.py` puts `docs/hooks` on `sys.path`, as MkDocs does when it loads the hook.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sitegen import blocks, guidelines, layout, services
from sitegen.contracts import ProblemType, load_contracts, problem_slugs
from sitegen.schemas import SchemaRenderer

from tests.docs.docsite import ROOT

DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Money": {
                "type": "object",
                "required": ["amount", "currency"],
                "additionalProperties": False,
                "properties": {
                    "amount": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 100},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3, "maxLength": 3},
                },
            },
            "Fixed": {"type": "object", "properties": {"type": {"const": "FIXED"}}},
            "Percent": {"type": "object", "properties": {"type": {"const": "PERCENT"}}},
            "Discount": {
                "oneOf": [{"$ref": "#/components/schemas/Fixed"}, {"$ref": "#/components/schemas/Percent"}],
                "discriminator": {
                    "propertyName": "type",
                    "mapping": {"FIXED": "#/components/schemas/Fixed", "PERCENT": "#/components/schemas/Percent"},
                },
            },
            "Page": {
                "type": "object",
                "properties": {"items": {"type": "array"}, "next": {"type": ["string", "null"]}},
            },
            "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}},
            "Order": {
                "type": "object",
                "required": ["total"],
                "properties": {
                    "total": {"$ref": "#/components/schemas/Money"},
                    "minimum": {"oneOf": [{"$ref": "#/components/schemas/Money"}, {"type": "null"}]},
                    "discount": {"$ref": "#/components/schemas/Discount"},
                    "lines": {"type": "array", "maxItems": 5, "items": {"$ref": "#/components/schemas/Money"}},
                },
            },
            "OrderPage": {
                "allOf": [
                    {"$ref": "#/components/schemas/Page"},
                    {"properties": {"items": {"items": {"$ref": "#/components/schemas/Order"}, "maxItems": 9}}},
                ]
            },
        }
    }
}


def _rows(name: str) -> dict[str, Any]:
    renderer = SchemaRenderer(DOCUMENT)
    return {row.field: row for row in renderer.rows({"$ref": f"#/components/schemas/{name}"})}


def test_a_cell_escapes_pipes_outside_code_only() -> None:
    assert blocks.cell("a | b `x|y`\nc") == "a \\| b `x|y` c"


def test_a_code_span_survives_backticks() -> None:
    assert blocks.code("a`b") == "``a`b``"


def test_nested_objects_are_expanded_with_dotted_paths_and_constraints() -> None:
    rows = _rows("Order")
    assert rows["total"].type == "[Money](#schema-money)"
    assert rows["total"].required
    assert rows["total.amount"].type == "integer (int64)"
    assert rows["total.amount"].constraints == "0 to 100"
    assert rows["total.currency"].constraints == "exactly 3 characters; pattern `^[A-Z]{3}$`"
    assert rows["lines[].currency"].required
    assert rows["lines"].constraints == "at most 5 items"


def test_a_nullable_reference_reads_as_or_null_and_is_still_expanded() -> None:
    rows = _rows("Order")
    assert rows["minimum"].type == "[Money](#schema-money) or null"
    assert "minimum.amount" in rows
    assert _rows("Page")["next"].type == "string or null"


def test_alternatives_stay_links_with_their_discriminator_values() -> None:
    rows = _rows("Order")
    assert rows["discount"].type == "[Discount](#schema-discount)"
    renderer = SchemaRenderer(DOCUMENT)
    text = renderer.plain_type(DOCUMENT["components"]["schemas"]["Discount"])
    assert text == "one of [Fixed](#schema-fixed) (`FIXED`), [Percent](#schema-percent) (`PERCENT`), chosen by `type`"
    assert not [field for field in rows if field.startswith("discount.")]


def test_all_of_parts_are_merged_later_keywords_winning() -> None:
    rows = _rows("OrderPage")
    assert rows["items"].type == "array of [Order](#schema-order)"
    assert rows["items"].constraints == "at most 9 items"
    assert "items[].total" in rows


def test_a_recursive_schema_does_not_loop() -> None:
    assert list(_rows("Node")) == ["child"]


def test_problem_slugs_come_from_examples_and_codes_named_in_the_description() -> None:
    catalogue = {
        slug: ProblemType(slug, slug, 409, code, ("coupon",), "", "")
        for slug, code in (("coupon-exhausted", "COUPON_EXHAUSTED"), ("coupon-paused", "COUPON_PAUSED"))
    }
    response = {
        "description": "Refused: `COUPON_PAUSED`, or `NOT_A_CODE`.",
        "content": {
            "application/problem+json": {
                "example": {"type": "https://dataservices.example.com/errors/coupon-exhausted/", "code": "X"}
            }
        },
    }
    assert problem_slugs({}, response, catalogue) == ["coupon-exhausted", "coupon-paused"]
    response["content"]["application/problem+json"]["example"]["type"] = "https://example.com/errors/unknown/"
    with pytest.raises(ValueError, match="not in the error catalogue"):
        problem_slugs({}, response, catalogue)


@dataclass(frozen=True)
class _Group:
    key: str
    slug: str
    title: str


@dataclass(frozen=True)
class _Rule:
    id: str
    slug: str = "money-minor-units"
    level: str = "MUST"
    statement: str = "Money is integer minor units."
    rationale: str = "Floats lose cents."
    good_example: str = "amount: {type: integer}"
    bad_example: str = "amount: {type: number}"
    review_only: bool = False
    severity: str = "error"
    docs_url: str = "https://dataservices.example.com/guidelines/data-types/#dsl-301"

    @property
    def group(self) -> str:
        return f"{self.id[4]}xx"

    @property
    def anchor(self) -> str:
        return self.id.lower()


GROUPS = [_Group("1xx", "document", "Document"), _Group("3xx", "data-types", "Data types")]


def test_rules_are_grouped_on_the_page_their_docs_url_names() -> None:
    groups = guidelines.group_rules([_Rule("DSL-301")], GROUPS, "https://dataservices.example.com/")
    assert [(group.slug, [rule.id for rule in group.rules]) for group in groups] == [("data-types", ["DSL-301"])]
    page = guidelines.group_page(groups[0])
    assert "## DSL-301 Money minor units {#dsl-301}" in page
    assert "checked by `contractkit lint`" in page
    assert '=== "Fails"' in page


def test_a_docs_url_that_misses_its_section_is_refused() -> None:
    rule = _Rule("DSL-301", docs_url="https://dataservices.example.com/guidelines/naming/#dsl-301")
    with pytest.raises(ValueError, match="DSL-301"):
        guidelines.group_rules([rule], GROUPS, "https://dataservices.example.com/")


def test_generated_pages_are_listed_after_their_section_page() -> None:
    nav: list[Any] = [{"Home": "index.md"}, {"Errors": ["errors/index.md", {"Other": "errors/other.md"}]}]
    layout.insert_after(nav, "errors/index.md", [{"404 Not found": "errors/not-found.md"}])
    assert nav[1] == {
        "Errors": ["errors/index.md", {"404 Not found": "errors/not-found.md"}, {"Other": "errors/other.md"}]
    }
    with pytest.raises(layout.LayoutError, match=r"nav must list guidelines/index\.md"):
        layout.insert_after(nav, "guidelines/index.md", [])


def test_a_build_must_be_for_the_site_problem_types_and_rule_links_point_at() -> None:
    base, guide = "https://dataservices.example.com/errors/", "https://dataservices.example.com/guidelines/"
    assert layout.published_url("https://dataservices.example.com/", base, guide) == "https://dataservices.example.com/"
    # `mkdocs serve` builds for its own address.
    assert layout.published_url("http://127.0.0.1:8000/", base, guide) == "https://dataservices.example.com/"
    with pytest.raises(layout.LayoutError, match=r"site_url is https://docs\.example\.org/"):
        layout.published_url("https://docs.example.org/", base, guide)
    with pytest.raises(layout.LayoutError, match="one site must hold both"):
        layout.published_url("https://dataservices.example.com/", base, "https://other.example.com/guidelines/")


def _facts(name: str, *, settings: tuple[services.Setting, ...] = ()) -> services.ServiceFacts:
    return services.ServiceFacts(
        name=name,
        title=f"{name.title()} service",
        port=8090,
        env_prefix=f"DATASERVICES_{name.upper()}_",
        database=f"sqlite:///var/{name}.db",
        scopes=(f"{name}:read",),
        tables=(f"{name}s",),
        contract=Path(f"contracts/{name}/openapi.yaml"),
        calls=(),
        settings=settings,
    )


def test_each_registered_service_gets_a_section_after_the_services_page(tmp_path: Path) -> None:
    for name in ("alpha", "beta"):
        (tmp_path / "services" / name).mkdir(parents=True)
        (tmp_path / "services" / name / "index.md").write_text("# x\n")
    (tmp_path / "services" / "beta" / "changelog.md").write_text("# x\n")
    nav: list[Any] = [{"Services": ["services/index.md", {"Adding a service": "services/adding.md"}]}]

    services.add_service_sections(nav, [_facts("alpha"), _facts("beta")], tmp_path)

    assert nav[0]["Services"] == [
        "services/index.md",
        {"Alpha service": ["services/alpha/index.md"]},
        {"Beta service": ["services/beta/index.md", {"Changelog": "services/beta/changelog.md"}]},
        {"Adding a service": "services/adding.md"},
    ]
    with pytest.raises(layout.LayoutError, match=r"docs/services/gamma/index\.md: every registered service"):
        services.add_service_sections(nav, [_facts("gamma")], tmp_path)


def test_the_table_of_services_and_their_own_settings_come_from_the_facts() -> None:
    alpha = _facts("alpha", settings=(services.Setting("DATASERVICES_ALPHA_LIMIT", "5", "how many"),))
    table = services.services_table([alpha], "../services/", {"alpha": "1.2.0"})
    assert "[Alpha service](../services/alpha/index.md)" in table
    assert "1.2.0 ([API reference](../services/alpha/api.md))" in table
    assert "| 8090 |" in table
    settings = services.settings_sections([alpha, _facts("beta")])
    assert "| `DATASERVICES_ALPHA_LIMIT` | `5` | how many |" in settings
    assert "It has no settings beyond those every service has." in settings


def test_a_contract_no_registered_service_serves_is_refused(tmp_path: Path) -> None:
    source = ROOT / "contracts"
    copy = tmp_path / "contracts"
    shutil.copytree(source / "shared", copy / "shared")
    for name in ("coupon", "orphan"):
        (copy / name).mkdir()
        shutil.copy(source / "coupon" / "openapi.yaml", copy / name / "openapi.yaml")
    with pytest.raises(ValueError, match=r"contracts/orphan/openapi\.yaml: no registered service serves"):
        load_contracts([("coupon", copy / "coupon" / "openapi.yaml")], copy, tmp_path)
    (served,) = load_contracts([("coupon", copy / "coupon" / "openapi.yaml")], copy / "coupon", tmp_path)
    assert served.service == "coupon"
    assert served.source == "contracts/coupon/openapi.yaml"
