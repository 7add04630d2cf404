"""Validating contracts: specification errors, broken refs and parse errors, each with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractkit.loading import UnreadableFile
from contractkit.problems import Problem
from contractkit.validate import validate_contract

FIXTURES = Path(__file__).parents[1] / "fixtures"
CONTRACTS = FIXTURES / "contracts"


def _where(problems: list[Problem]) -> list[tuple[str, int, str]]:
    return [(problem.file.relative_to(FIXTURES).as_posix(), problem.line, problem.pointer) for problem in problems]


@pytest.mark.parametrize(
    "contract",
    [
        CONTRACTS / "good" / "openapi.yaml",
        FIXTURES / "refs" / "api" / "openapi.yaml",
        FIXTURES / "bundle" / "api" / "openapi.yaml",
    ],
)
def test_valid_contracts_have_no_problems(contract: Path) -> None:
    assert validate_contract(contract) == []


def test_specification_errors_are_located_in_the_file_that_holds_them() -> None:
    problems = validate_contract(CONTRACTS / "bad" / "openapi.yaml")
    assert _where(problems) == [
        ("contracts/bad/openapi.yaml", 7, "/paths/~1v1~1pets~1{petId}/get"),
        ("contracts/bad/openapi.yaml", 10, "/paths/~1v1~1pets~1{petId}/get/responses/200"),
        # The bad schema lives in the shared file, reached through a $ref.
        ("contracts/shared/schemas.yaml", 16, "/BadPet/properties/name/type"),
    ]
    assert "Path parameter 'petId'" in problems[0].message
    assert '"description" is a required property' in problems[1].message
    assert problems[2].message.startswith("'strin' is not one of ['array', 'boolean'")


def test_broken_refs_are_problems_not_exceptions() -> None:
    problems = validate_contract(FIXTURES / "broken" / "openapi.yaml")
    assert [problem.line for problem in problems] == [1, 14, 20, 26]
    assert "validation stopped early" in problems[0].message
    assert all("broken $ref" in problem.message for problem in problems[1:])


def test_parse_errors_are_problems(tmp_path: Path) -> None:
    contract = tmp_path / "openapi.yaml"
    contract.write_text("openapi: 3.1.0\ninfo: {title: x\n")
    [problem] = validate_contract(contract)
    assert problem.file == contract
    assert problem.line == 3
    assert "invalid YAML" in problem.message


def test_openapi_30_documents_use_the_30_rules(tmp_path: Path) -> None:
    contract = tmp_path / "openapi.json"
    contract.write_text(
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},\n'
        ' "components": {"schemas": {"N": {"type": ["string", "null"]}}}}'
    )
    # A type list is 3.1 JSON Schema; OpenAPI 3.0 schemas only allow one type.
    [problem] = validate_contract(contract)
    assert problem.pointer == "/components/schemas/N"
    assert problem.line == 2


def test_unsupported_versions_are_reported(tmp_path: Path) -> None:
    contract = tmp_path / "openapi.yaml"
    contract.write_text("openapi: 4.0.0\ninfo: {title: t, version: '1'}\n")
    [problem] = validate_contract(contract)
    assert (problem.line, problem.pointer) == (1, "/openapi")
    assert "unsupported `openapi` version" in problem.message


def test_unreadable_contracts_raise(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile):
        validate_contract(tmp_path / "missing.yaml")


def test_problem_format_is_file_line_pointer_message(tmp_path: Path) -> None:
    problem = Problem(tmp_path / "a" / "openapi.yaml", 12, "/paths", "something is wrong")
    assert problem.format(relative_to=tmp_path) == "a/openapi.yaml:12: /paths: something is wrong"
    assert Problem(tmp_path / "x.yaml", 1, "", "m").format(relative_to=tmp_path) == "x.yaml:1: /: m"


def test_a_finding_stays_on_one_line_whatever_the_keys_hold(tmp_path: Path) -> None:
    problem = Problem(tmp_path / "x.yaml", 3, "/paths/a\nb", "bad key 'a\nfake.yaml:1: /: injected'")
    assert problem.format(relative_to=tmp_path) == "x.yaml:3: /paths/a\\nb: bad key 'a\\nfake.yaml:1: /: injected'"
