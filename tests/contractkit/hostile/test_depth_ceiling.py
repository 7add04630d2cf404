"""CONTRACTKIT_MAX_DEPTH can be raised to its ceiling, and every command still copes at that depth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contractkit.loading import Limits, LimitSettingError, limits_from_environment
from contractkit.loading.limits import DEPTH_CEILING
from tests.contractkit.hostile.commands import COMMANDS, run
from tests.fixtures.work_budget import work_budget


def _schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def _contract(depth: int, levels: int) -> dict[str, Any]:
    """A contract nested ``depth`` levels: a schema nested ``levels`` times, an example and literal data."""
    body = {"schema": {"$ref": "#/components/schemas/Deep"}, "example": _nested(depth - 8)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Deep", "version": "1.0.0"},
        "paths": {
            "/v1/things": {
                "post": {
                    "requestBody": {"content": {"application/json": body}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": body}}},
                }
            }
        },
        "components": {"schemas": {"Deep": _schema(levels), "Literal": {"x-data": _nested(depth - 4)}}},
    }


def test_the_ceiling_is_enforced() -> None:
    assert limits_from_environment({"CONTRACTKIT_MAX_DEPTH": str(DEPTH_CEILING)}).depth == DEPTH_CEILING
    with pytest.raises(LimitSettingError, match="at most"):
        limits_from_environment({"CONTRACTKIT_MAX_DEPTH": str(DEPTH_CEILING + 1)})
    with pytest.raises(ValueError, match="at most"):
        Limits(depth=DEPTH_CEILING + 1)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_copes_at_the_ceiling(tmp_path: Path, command: str) -> None:
    levels = (DEPTH_CEILING - 4) // 2  # components/schemas/Deep, then two levels per nested schema
    contract = tmp_path / "openapi.json"
    contract.write_text(json.dumps(_contract(DEPTH_CEILING, levels)))
    base = tmp_path / "base.json"
    base.write_text(json.dumps(_contract(DEPTH_CEILING, levels - 1)))
    with work_budget(5_000_000):
        outcome = run(command, contract, base, {"CONTRACTKIT_MAX_DEPTH": str(DEPTH_CEILING)})
    assert outcome.escaped is None, f"{type(outcome.escaped).__name__}: {outcome.escaped}"
    # The OpenAPI validator gives up on schemas nested this deep; it says so and nothing escapes.
    assert outcome.exit_code in (0, 1), outcome.output
    one_deeper = {"CONTRACTKIT_MAX_DEPTH": str(DEPTH_CEILING - 1)}
    assert run(command, contract, base, one_deeper).exit_code == 2
