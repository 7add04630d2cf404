"""A root contract plus the files its refs reach: resolution, positions across files, broken refs."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractkit.loading import Kind, RefError, RefRefused, Workspace, pointer, ref_target

FIXTURES = Path(__file__).parents[1] / "fixtures"
REFS = FIXTURES / "refs"
ROOT = REFS / "api" / "openapi.yaml"
SCHEMAS = REFS / "shared" / "schemas.yaml"
PARAMETERS = REFS / "shared" / "parameters.json"


@pytest.fixture
def workspace() -> Workspace:
    return Workspace(ROOT)


def test_resolves_refs_into_partials_and_back(workspace: Workspace) -> None:
    money = workspace.resolve(workspace.root, "../shared/schemas.yaml#/Money")
    assert money.document.path == SCHEMAS
    assert money.pointer == "/Money"
    assert money.value["required"] == ["amount", "currency"]
    currency = workspace.resolve(money.document, "#/CurrencyCode")
    assert currency.value == {"type": "string", "pattern": "^[A-Z]{3}$"}


def test_positions_follow_refs_across_yaml_and_json(workspace: Workspace) -> None:
    through_yaml = workspace.position(
        workspace.root, "/components/schemas/Account/properties/balance/properties/amount"
    )
    assert (through_yaml.file, through_yaml.line, through_yaml.column) == (SCHEMAS, 6, 5)

    through_json = workspace.position(workspace.root, "/paths/~1v1~1accounts~1{accountId}/parameters/0/schema/pattern")
    assert (through_json.file, through_json.line) == (PARAMETERS, 6)

    # Two hops: Account -> Money (schemas.yaml) -> #/CurrencyCode (same file).
    pattern = workspace.position(
        workspace.root, "/components/schemas/Account/properties/balance/properties/currency/pattern"
    )
    assert (pattern.file, pattern.line) == (SCHEMAS, 13)


def test_positions_through_a_ref_cycle(workspace: Workspace) -> None:
    deep = "/components/schemas/Account/properties/tree" + "/properties/children/items" * 5 + "/type"
    position = workspace.position(workspace.root, deep)
    assert (position.file, position.line) == (SCHEMAS, 15)
    document, pointer = workspace.locate(workspace.root, deep)
    assert (document.path, pointer) == (SCHEMAS, "/Node/type")


def test_the_ref_itself_is_placed_where_it_is_written(workspace: Workspace) -> None:
    position = workspace.position(workspace.root, "/components/schemas/Account/properties/balance")
    assert (position.file, position.line) == (ROOT, 23)


def test_check_refs_loads_every_reachable_file_and_terminates_on_cycles(workspace: Workspace) -> None:
    assert workspace.check_refs() == []
    assert set(workspace.documents) == {ROOT, SCHEMAS, PARAMETERS}
    sites = [(site.document.path.name, site.pointer, site.kind) for site in workspace.ref_sites()]
    assert ("schemas.yaml", "/Node/properties/children/items", Kind.SCHEMA) in sites
    assert ("openapi.yaml", "/paths/~1v1~1accounts~1{accountId}/parameters/0", Kind.PARAMETER) in sites


def test_unreachable_broken_refs_in_shared_files_are_not_reported(workspace: Workspace) -> None:
    # schemas.yaml#/Unused points at a missing file, but nothing reaches it.
    assert workspace.check_refs() == []


def test_broken_refs_become_problems_with_file_and_line() -> None:
    root = FIXTURES / "broken" / "openapi.yaml"
    problems = Workspace(root).check_refs()
    assert [(problem.file, problem.line) for problem in problems] == [(root, 14), (root, 20), (root, 26)]
    missing_file, missing_pointer, unparsable = (problem.message for problem in problems)
    assert "shared/missing.yaml: cannot read file" in missing_file
    assert "shared/ok.yaml has nothing at /Nope" in missing_pointer
    assert "shared/bad.yaml does not parse (line 4)" in unparsable
    assert problems[0].pointer.endswith("/schema/$ref")


def test_resolve_raises_ref_error(workspace: Workspace) -> None:
    with pytest.raises(RefError, match="has nothing at /Nope"):
        workspace.resolve(workspace.root, "#/Nope")
    with pytest.raises(RefRefused, match="only files relative to this one can be referenced, not https: URLs"):
        workspace.resolve(workspace.root, "https://example.com/schemas.yaml#/Money")
    with pytest.raises(RefError, match="JSON pointer"):
        workspace.resolve(workspace.root, "#Money")


def test_ref_target_normalises_paths_and_decodes_fragments() -> None:
    assert ref_target(ROOT, "../shared/./schemas.yaml#/Money") == (SCHEMAS, "/Money")
    assert ref_target(ROOT, "#/paths/~1v1~1x%7Bid%7D") == (ROOT, "/paths/~1v1~1x{id}")
    assert ref_target(ROOT, "../shared/sch%65mas.yaml") == (SCHEMAS, "")


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        (SCHEMAS.as_uri() + "#/Node", "not file: URLs"),
        (str(SCHEMAS) + "#/Node", "absolute paths cannot be referenced"),
        ("/etc/passwd", "absolute paths cannot be referenced"),
        ("%2Fetc%2Fpasswd", "absolute paths cannot be referenced"),
        ("schemas%00.yaml", "NUL character"),
    ],
)
def test_ref_target_refuses_urls_and_absolute_paths(ref: str, reason: str) -> None:
    with pytest.raises(RefRefused, match=reason):
        ref_target(ROOT, ref)


def test_follow_returns_the_physical_node_or_raises(workspace: Workspace) -> None:
    amount = workspace.follow(workspace.root, "/components/schemas/Account/properties/balance/properties/amount")
    assert (amount.document.path, amount.pointer, amount.value["format"]) == (
        SCHEMAS,
        "/Money/properties/amount",
        "int64",
    )
    with pytest.raises(pointer.PointerError) as caught:
        workspace.follow(workspace.root, "/components/schemas/Account/properties/nope/type")
    assert caught.value.depth == 4
