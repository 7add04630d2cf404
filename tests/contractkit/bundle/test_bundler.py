"""Bundling: external refs pulled into the right components section, deterministic, still valid."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contractkit.bundle import BundleError, bundle, bundle_workspace, dump_json, dump_yaml
from contractkit.loading import Workspace, iter_refs
from contractkit.validate import validate_contract

FIXTURES = Path(__file__).parents[1] / "fixtures"
CONTRACT = FIXTURES / "bundle" / "api" / "openapi.yaml"


@pytest.fixture(scope="module")
def bundled() -> dict[str, Any]:
    return bundle(CONTRACT)


def test_no_external_refs_remain(bundled: dict[str, Any]) -> None:
    refs = [ref for _, ref in iter_refs(bundled)]
    assert refs
    # The one exception is literal data: an example's `$ref` key is not a reference.
    assert [ref for ref in refs if not ref.startswith("#/")] == ["this is just text"]


def test_each_ref_lands_in_the_section_its_context_calls_for(bundled: dict[str, Any]) -> None:
    components = bundled["components"]
    item = bundled["paths"]["/v1/orders/{orderId}"]
    ok = item["get"]["responses"]["200"]
    assert item["parameters"] == [{"$ref": "#/components/parameters/OrderId"}]
    assert ok["headers"]["ETag"] == {"$ref": "#/components/headers/ETag"}
    assert ok["content"]["application/json"]["examples"]["basic"] == {"$ref": "#/components/examples/OrderExample"}
    assert ok["links"]["Self"] == {"$ref": "#/components/links/SelfLink"}
    assert item["get"]["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    create = bundled["paths"]["/v1/orders"]["post"]
    assert create["requestBody"] == {"$ref": "#/components/requestBodies/OrderBody"}
    assert list(components) == [
        "securitySchemes",
        "schemas",
        "responses",
        "parameters",
        "examples",
        "requestBodies",
        "headers",
        "links",
    ]
    assert components["parameters"]["OrderId"]["name"] == "orderId"


def test_path_items_are_inlined_and_refs_back_into_the_root_become_local(bundled: dict[str, Any]) -> None:
    created = bundled["paths"]["/v1/orders"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"] == {"$ref": "#/components/schemas/Order"}
    body = bundled["components"]["requestBodies"]["OrderBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Order"}


def test_name_collisions_get_numbered_suffixes_in_document_order(bundled: dict[str, Any]) -> None:
    schemas = bundled["components"]["schemas"]
    assert list(schemas) == ["Money", "Order", "Currency", "Money_2", "Money_3", "Cat", "Dog"]
    assert schemas["Money"]["type"] == "string"  # the root's own keeps its name
    assert schemas["Order"]["properties"]["total"] == {"$ref": "#/components/schemas/Money_2"}
    assert schemas["Order"]["properties"]["fee"] == {"$ref": "#/components/schemas/Money_3"}
    assert schemas["Money_2"]["properties"]["amount"]["format"] == "int64"
    assert schemas["Money_3"]["type"] == "number"


def test_root_aliases_of_shared_components_hold_the_component_itself(bundled: dict[str, Any]) -> None:
    components = bundled["components"]
    # `Currency: {$ref: ../shared/money.yaml#/Currency}` becomes Currency itself, and Money_2 points at it.
    assert components["schemas"]["Currency"] == {"type": "string", "pattern": "^[A-Z]{3}$"}
    assert components["schemas"]["Money_2"]["properties"]["currency"] == {"$ref": "#/components/schemas/Currency"}
    assert components["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def test_discriminator_mappings_follow_their_schemas(bundled: dict[str, Any]) -> None:
    pet = bundled["components"]["schemas"]["Order"]["properties"]["pet"]
    assert pet["discriminator"]["mapping"] == {"cat": "#/components/schemas/Cat", "dog": "Dog"}


def test_bundled_contract_validates(bundled: dict[str, Any], tmp_path: Path) -> None:
    for name, text in (("openapi.yaml", dump_yaml(bundled)), ("openapi.json", dump_json(bundled))):
        (tmp_path / name).write_text(text)
        assert validate_contract(tmp_path / name) == []


def test_output_is_byte_identical_across_runs_and_processes() -> None:
    first, second = dump_yaml(bundle(CONTRACT)), dump_yaml(bundle(CONTRACT))
    assert first == second
    # A fresh interpreter with another hash seed must not reorder anything (no set or hash order leaks).
    script = (
        "import sys; from contractkit.bundle import bundle, dump_yaml; sys.stdout.write(dump_yaml(bundle(sys.argv[1])))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, str(CONTRACT)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert other.stdout == first


def test_bundle_shares_nothing_with_the_loaded_files() -> None:
    workspace = Workspace(CONTRACT)
    result = bundle_workspace(workspace)
    result["components"]["schemas"]["Order"]["properties"]["id"]["type"] = "changed"
    assert workspace.root.data["components"]["schemas"]["Order"]["properties"]["id"]["type"] == "string"


def test_self_contained_contracts_come_back_unchanged(tmp_path: Path) -> None:
    contract = FIXTURES / "contracts" / "good" / "openapi.yaml"
    once = bundle(contract)
    (tmp_path / "openapi.yaml").write_text(dump_yaml(once))
    assert bundle(tmp_path / "openapi.yaml") == once


def test_broken_refs_raise_bundle_error_with_problems() -> None:
    with pytest.raises(BundleError) as caught:
        bundle(FIXTURES / "broken" / "openapi.yaml")
    assert [problem.line for problem in caught.value.problems] == [14, 20, 26]


def test_a_root_that_is_not_a_mapping_cannot_be_bundled(tmp_path: Path) -> None:
    contract = tmp_path / "openapi.yaml"
    contract.write_text("- just\n- a list\n")
    with pytest.raises(BundleError, match="must be a mapping"):
        bundle(contract)
