"""Findings are placed where the node is written: in the shared file a ``$ref`` leads to, in YAML and JSON."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contractkit.lint.engine import lint_workspace
from contractkit.loading import Workspace, iter_objects, load_document, pointer
from contractkit.loading.json_source import JsonPositions

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = FIXTURES / "shared"


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.mark.parametrize("root", ["openapi.yaml", "openapi.json"])
def test_findings_in_shared_files_carry_the_shared_files_line(root: Path) -> None:
    results = lint_workspace(Workspace(FIXTURES / "refs" / "api" / root))
    money = [r for r in results if r.rule_id == "DSL-301" and r.file == SHARED / "schemas.yaml"]
    assert [(r.line, r.column, r.pointer) for r in money] == [
        (_line_of(SHARED / "schemas.yaml", "unitPrice:"), 5, "/Price/properties/unitPrice")
    ]
    problem = [r for r in results if r.rule_id == "DSL-402"]
    assert [(r.file, r.line, r.pointer) for r in problem] == [
        (SHARED / "responses.yaml", _line_of(SHARED / "responses.yaml", "Conflict:"), "/Conflict")
    ]


def test_findings_in_json_files_carry_line_and_column() -> None:
    root = FIXTURES / "refs" / "api" / "openapi.json"
    results = lint_workspace(Workspace(root))
    [snake] = [r for r in results if r.rule_id == "DSL-202"]
    assert (snake.file, snake.line, snake.column) == (root, _line_of(root, '"total_amount"'), 34)
    [path] = [r for r in results if r.rule_id == "DSL-201"]
    assert (path.line, path.column) == (_line_of(root, '"/v1/Amounts"'), 5)


def test_json_positions_are_the_same_however_lookups_are_ordered() -> None:
    # The position index remembers parents and line starts; lookups in any order must agree.
    document = load_document(FIXTURES / "refs" / "api" / "openapi.json")
    pointers = [where for where, _, _ in iter_objects(document.data)]
    text = (FIXTURES / "refs" / "api" / "openapi.json").read_text(encoding="utf-8")
    in_order = [JsonPositions(text).locate(pointer.split(p)) for p in pointers]
    shuffled = pointers[:]
    random.Random(7).shuffle(shuffled)
    fresh = JsonPositions(text)
    by_pointer = {p: fresh.locate(pointer.split(p)) for p in shuffled}
    assert [by_pointer[p] for p in pointers] == in_order
    assert in_order[0] == (1, 1)
