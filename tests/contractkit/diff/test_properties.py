"""Properties of the diff on generated contracts (Hypothesis).

A contract diffed with itself finds nothing, whatever its shape; and a diff does not change when both sides'
keys are reordered, or when one side's `$ref`s are replaced by copies of what they name. "Does not change"
means the same (check, operation, field) triples: a schema shared by two fields is one finding naming both
(`field` and `also`), while its inlined copies are two findings naming one each.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractkit.diff import DiffOptions, Side, compare_contracts
from contractkit.loading import Document, Workspace
from tests.contractkit.diff.contracts import contracts, dicts, inline, pairs, reorder

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTIONS = DiffOptions(pacts=None)


def _side(document: dict[str, Any], name: str) -> Side:
    # In memory: JSON text parsed by the real loader, positions included.
    return Side(Workspace(Document.from_text(Path(f"/generated/{name}/openapi.json"), json.dumps(document))))


def _diff(base: dict[str, Any], revision: dict[str, Any]) -> set[tuple[str, str | None, str | None]]:
    contract = compare_contracts(_side(base, "base"), _side(revision, "revision"), OPTIONS)
    return {(f.check.id, f.operation, field) for f in contract.findings for field in (f.field, *f.also)}


@SETTINGS
@given(contracts())
def test_a_contract_diffed_with_itself_finds_nothing(document: dict[str, Any]) -> None:
    assert _diff(document, document) == set()
    # Inlined, the two sides are no longer equal values, so the comparison runs all the way down.
    assert _diff(document, inline(document)) == set()
    assert _diff(inline(document), document) == set()


@SETTINGS
@given(pairs())
def test_reordering_keys_changes_nothing(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    base, revision = pair
    assert _diff(reorder(base), reorder(revision)) == _diff(base, revision)


@SETTINGS
@given(pairs())
def test_inlining_refs_changes_nothing(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    base, revision = pair
    expected = _diff(base, revision)
    assert _diff(inline(base), revision) == expected
    assert _diff(base, inline(revision)) == expected


_JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=5)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@SETTINGS
@given(pairs(), st.data())
def test_junk_anywhere_never_raises(pair: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject) -> None:
    # Invalid documents (a list where a map belongs, a number for a type...) give findings or nothing, never a
    # traceback; `contractkit validate` is the tool that explains what is wrong with them.
    base, revision = pair
    nodes = [node for node in dicts(revision) if node]
    for _ in range(data.draw(st.integers(1, 4))):
        node = data.draw(st.sampled_from(nodes))
        node[data.draw(st.sampled_from(sorted(node)))] = data.draw(_JUNK)
    _diff(base, revision)
    _diff(revision, base)
