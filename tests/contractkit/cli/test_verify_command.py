"""`contractkit verify` against real servers on 127.0.0.1: an honest one passes, a broken one fails.

Each run uses few examples and a fixed seed so the whole module stays within seconds.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from contractkit.cli import ExitCode, app
from tests.contractkit.fixtures.verify.apps import CONTRACT, make_app
from tests.fixtures.live_server import LiveServer

TOKEN = "s3cret-token"
FAST = ["--max-examples", "5", "--seed", "1"]


def _verify(server: LiveServer, *args: str, contract: Path = CONTRACT) -> Result:
    return CliRunner().invoke(app, ["verify", str(contract), "--base-url", server.url, *FAST, *args])


def _junit(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_an_honest_implementation_passes_every_phase(live_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    server = live_server(make_app(token=TOKEN))
    report = tmp_path / "junit.xml"
    result = _verify(server, "--token", TOKEN, "--junit-xml", str(report))
    assert result.exit_code == ExitCode.OK, result.output
    assert "POST /v1/widgets: positive_data_acceptance also accepts 422 (x-semantic-rejection)" in result.output
    assert "token sent through security scheme 'bearerAuth'" in result.output
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in result.output
    root = _junit(report)
    assert (root.get("failures"), root.get("errors")) == ("0", "0")


def test_a_contract_breaking_implementation_fails_with_a_junit_report(
    live_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = live_server(make_app(token=TOKEN, break_contract=True))
    report = tmp_path / "junit.xml"
    result = _verify(server, "--token", TOKEN, "--junit-xml", str(report), "--phases", "examples,fuzzing")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "Response violates schema" in result.output
    assert "FAILED (Schemathesis exit 1)" in result.output
    failures = _junit(report).findall(".//failure")
    assert failures
    assert any('"3" is not of type "integer"' in (failure.text or "") for failure in failures)


def test_a_wrong_token_fails_the_run_through_the_missing_auth_warning(
    live_server: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = live_server(make_app(token=TOKEN))
    monkeypatch.setenv("WIDGET_TOKEN", "not-the-token")
    result = _verify(server, "--token-env", "WIDGET_TOKEN", "--phases", "examples,fuzzing")
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "Warnings fail the run" in result.output


def test_without_the_contract_s_tuning_schema_valid_rejections_fail(
    live_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    # Same honest server, but the contract no longer declares its semantic 422: nothing else is relaxed.
    copy = tmp_path / "verify"
    shutil.copytree(CONTRACT.parents[1], copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    contract = copy / "contract" / "openapi.yaml"
    contract.write_text(contract.read_text().replace("x-semantic-rejection: true", "x-semantic-rejection: false"))
    server = live_server(make_app(token=TOKEN))
    # The copy lies outside any repository: `--root` lets it reach its `../shared` files.
    result = _verify(server, "--token", TOKEN, "--phases", "coverage,fuzzing", "--root", str(copy), contract=contract)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "Schema-valid request rejected" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--token", "a", "--token-env", "B"], "not both"),
        (["--token-env", "CONTRACTKIT_TEST_UNSET_VARIABLE"], "is not set"),
        (["--phases", "examples,smoke"], "choose from"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["verify", str(CONTRACT), "--base-url", "http://127.0.0.1:9", *args])
    assert result.exit_code == ExitCode.USAGE
    assert message in result.output


def test_an_unloadable_contract_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "nope.yaml"), "--base-url", "http://127.0.0.1:9"])
    assert result.exit_code == ExitCode.USAGE


def test_help_documents_the_semantic_rejection_rule_and_the_kit() -> None:
    result = CliRunner().invoke(app, ["verify", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    assert "x-semantic-rejection: true" in text
    assert "lets positive_data_acceptance accept that status for that operation only; nothing else is relaxed" in text
    assert "Then the behavioural kit checks the contract's promises black-box" in text


COUPON = Path(__file__).resolve().parents[3] / "contracts" / "coupon" / "openapi.yaml"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the behavioural kit needs credentials"),
        (["--token", "t", "--kit-only", "--no-kit"], "leave nothing to run"),
        (["--jwt-secret", "s"], "needs --jwt-issuer and --jwt-audience"),
        (["--jwt-secret", "s", "--jwt-private-key", "k.pem", "--jwt-issuer", "i", "--jwt-audience", "a"], "not both"),
        (["--token", "t", "--promise", "KIT-999"], "unknown promise ids for this contract: KIT-999"),
        (["--token", "t", "--expected-failures", "missing.yaml"], "cannot read it"),
    ],
)
def test_kit_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        app, ["verify", str(COUPON), "--base-url", "http://127.0.0.1:9", *args], env={"COLUMNS": "300"}
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in " ".join(result.output.split())


def test_a_contract_without_a_service_module_is_verified_by_shape_only(
    live_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = live_server(make_app(token=TOKEN))
    result = _verify(server, "--token", TOKEN, "--phases", "examples")
    assert result.exit_code == ExitCode.OK, result.output
    assert "no behavioural kit for service None" in result.output


def test_the_kit_alone_fails_a_dead_service_naming_the_broken_promises(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    args = ["--kit-only", "--promise", "KIT-101", "--timeout", "2", "--junit-xml", str(report)]
    args += ["--jwt-secret", "a-secret-of-at-least-thirty-two-bytes", "--jwt-issuer", "i", "--jwt-audience", "a"]
    result = CliRunner().invoke(app, ["verify", str(COUPON), "--base-url", "http://127.0.0.1:9", *args])
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "FAIL  KIT-101" in result.output
    assert "FAILED (1 promise broken)" in result.output
    [case] = _junit(report).iter("testcase")
    assert case.get("name", "").startswith("KIT-101 ")
    assert case.find("failure") is not None
