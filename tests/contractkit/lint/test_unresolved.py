"""`unresolved-ref`: lint says when its rules met a `$ref` they could not follow, missing or refused."""

from __future__ import annotations

from pathlib import Path

from contractkit.lint import lint_contracts
from contractkit.lint.unresolved import UNRESOLVED_REF
from contractkit.loading import LoadPolicy

CONTRACT = """openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /v1/things:
    get:
      responses:
        "200": {$ref: "#/components/responses/Missing"}
        "404": {$ref: "../../outside.yaml#/NotFound"}
        "500": {$ref: "/dev/zero"}
"""


def test_every_ref_the_rules_could_not_follow_is_an_error_at_its_ref(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    contract = tmp_path / "api" / "openapi.yaml"
    contract.write_text(CONTRACT)
    report = lint_contracts([contract], policy=LoadPolicy(root=tmp_path))
    found = {(r.line, r.pointer): r.message for r in report.results if r.rule_id == UNRESOLVED_REF.id}
    assert sorted(found) == [
        (7, "/paths/~1v1~1things/get/responses/200/$ref"),
        (8, "/paths/~1v1~1things/get/responses/404/$ref"),
        (9, "/paths/~1v1~1things/get/responses/500/$ref"),
    ]
    assert found[7, "/paths/~1v1~1things/get/responses/200/$ref"].startswith("broken $ref")
    assert "refused $ref '../../outside.yaml#/NotFound'" in found[8, "/paths/~1v1~1things/get/responses/404/$ref"]
    assert "absolute paths cannot be referenced" in found[9, "/paths/~1v1~1things/get/responses/500/$ref"]
    assert all(
        r.severity.value == "error" and r.docs_url.endswith("/tools/#unresolved-ref")
        for r in report.results
        if r.rule_id == UNRESOLVED_REF.id
    )
    assert UNRESOLVED_REF in report.descriptors


def test_a_contract_whose_refs_resolve_has_none(tmp_path: Path) -> None:
    contract = tmp_path / "openapi.yaml"
    contract.write_text(CONTRACT.split('        "200"')[0] + '        "200": {description: ok}\n')
    report = lint_contracts([contract])
    assert not [r for r in report.results if r.rule_id == UNRESOLVED_REF.id]
