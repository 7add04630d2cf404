"""The schemathesis.toml `verify --write-config` writes: read back by Schemathesis, it is verify's configuration.

Every contract under contracts/ is written and read back, so a new contract is covered when it lands.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import ConfigError, SchemathesisConfig
from typer.testing import CliRunner

from contractkit.bundle import bundle
from contractkit.cli import ExitCode, app
from contractkit.discovery import find_contracts
from contractkit.verify import VerifyOptions, schemathesis_config, schemathesis_toml, semantic_rejections

ROOT = Path(__file__).resolve().parents[3]
CONTRACTS = find_contracts([ROOT / "contracts"])
FIXTURE = ROOT / "tests" / "contractkit" / "fixtures" / "verify" / "contract" / "openapi.yaml"


CHECKS = ("positive_data_acceptance", "missing_required_header", "negative_data_rejection", "ignored_auth")


def _load(document: dict[str, Any], config: SchemathesisConfig) -> Any:
    return schemathesis.openapi.from_dict(document, config=config)


@pytest.mark.parametrize("contract", [*CONTRACTS, FIXTURE], ids=lambda path: path.parent.name)
def test_the_written_file_is_verifys_configuration(
    contract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACTKIT_TOKEN", "token-from-the-environment")
    document = bundle(contract)
    options = VerifyOptions(base_url="http://127.0.0.1:8081", max_examples=7, seed=3)
    text = schemathesis_toml(document, str(contract), options, "CONTRACTKIT_TOKEN")
    assert "token-from-the-environment" not in text
    path = tmp_path / "schemathesis.toml"
    path.write_text(text)

    written = _load(document, SchemathesisConfig.from_path(path))
    with_token = dataclasses.replace(options, token="token-from-the-environment")
    expected = _load(document, SchemathesisConfig.from_dict(schemathesis_config(document, with_token)))
    assert written.config.base_url == "http://127.0.0.1:8081"
    assert written.config.auth.openapi == expected.config.auth.openapi
    assert written.config.warnings.fail_on == expected.config.warnings.fail_on
    assert (written.config.generation.max_examples, written.config.seed) == (7, 3)
    for operation in (result.ok() for result in expected.get_all_operations()):
        for phase in ("examples", "coverage", "fuzzing", "stateful"):
            assert written.config.phases_for(operation=operation).get_by_name(name=phase).enabled, phase
        mine = written.config.checks_config_for(operation=operation)
        theirs = expected.config.checks_config_for(operation=operation)
        for check in CHECKS:
            assert getattr(mine, check) == getattr(theirs, check), (operation.label, check)
    for label, statuses in semantic_rejections(document).items():
        assert f"{label}: positive_data_acceptance also accepts {', '.join(statuses)}" in text


def test_a_written_file_without_its_token_variable_is_refused_by_schemathesis(tmp_path: Path) -> None:
    document = bundle(FIXTURE)
    path = tmp_path / "schemathesis.toml"
    path.write_text(schemathesis_toml(document, "openapi.yaml", VerifyOptions(base_url=""), "NO_SUCH_TOKEN_VARIABLE"))
    assert "base-url" not in path.read_text()
    with pytest.raises(ConfigError, match="NO_SUCH_TOKEN_VARIABLE"):
        SchemathesisConfig.from_path(path)


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["verify", str(FIXTURE), *args], env={"COLUMNS": "300"})


def test_the_command_writes_the_file_and_runs_nothing(tmp_path: Path) -> None:
    target = tmp_path / "schemathesis.toml"
    # Nothing listens on port 1: the command must not try.
    result = _invoke("--write-config", str(target), "--base-url", "http://127.0.0.1:1", "--token-env", "MY_TOKEN")
    assert result.exit_code == ExitCode.OK, result.output
    assert f"Wrote {target}" in result.output
    text = target.read_text()
    assert 'bearer = "${MY_TOKEN}"' in text
    assert 'base-url = "http://127.0.0.1:1"' in text
    printed = _invoke("--write-config", "-").output
    assert printed.startswith("# Schemathesis configuration for ")
    assert "base-url" not in printed
    assert "--url BASE_URL" in printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--write-config", "-", "--token", "s3cret"], "never holds a token"),
        (["--write-config", "/no/such/folder/schemathesis.toml"], "cannot write /no/such/folder/schemathesis.toml"),
        (["--no-kit"], "say where the implementation runs"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = _invoke(*args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
