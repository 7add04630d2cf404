"""can-i-deploy, the matrix and the records, on a throw-away git repository with one consumer and one provider."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from contractkit.cli import app

CONTRACT = """openapi: 3.1.0
info: {{title: Coupon, version: {version}}}
paths:
  /v1/coupons/{{id}}:
    get:
      responses:
        "200": {{$ref: "../shared/responses.yaml#/Coupon"}}
"""
SHARED = "Coupon: {description: a coupon%s}\n"


def pact(description: str = "a request for a coupon") -> str:
    document = {
        "consumer": {"name": "backoffice"},
        "provider": {"name": "coupon-service"},
        "interactions": [
            {
                "description": description,
                "request": {"method": "GET", "path": "/v1/coupons/1"},
                "response": {"status": 200},
            }
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    return json.dumps(document, indent=2)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "contracts" / "coupon").mkdir(parents=True)
    (tmp_path / "contracts" / "shared").mkdir()
    (tmp_path / "contracts" / "pacts").mkdir()
    (tmp_path / "contracts" / "coupon" / "openapi.yaml").write_text(CONTRACT.format(version="1.0.0"))
    (tmp_path / "contracts" / "shared" / "responses.yaml").write_text(SHARED % "")
    (tmp_path / "contracts" / "pacts" / "backoffice-coupon-service.json").write_text(pact())
    commit(tmp_path, "first")
    return tmp_path


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--contracts", str(repo / "contracts")], catch_exceptions=False)
    return result.exit_code, result.output


def record(repo: Path, success: bool = True) -> tuple[int, str]:
    flag = "--success" if success else "--failure"
    return run(repo, "pacts", "record-verification", "--consumer", "backoffice", "--provider", "coupon-service", flag)


def test_without_a_verification_the_answer_is_no_and_names_the_pair(repo: Path) -> None:
    code, output = run(repo, "can-i-deploy", "coupon-service", "--version", "HEAD")

    assert code == 1
    assert "Computer says no" in output
    head = git(repo, "rev-parse", "HEAD")[:12]
    assert f"There is no verified pact between version {head} of backoffice and version 1.0.0 ({head})" in output


def test_a_recorded_verification_lets_both_sides_deploy(repo: Path) -> None:
    assert record(repo)[0] == 0
    commit(repo, "record the verification")

    for pacticipant in ("coupon-service", "backoffice"):
        code, output = run(repo, "can-i-deploy", pacticipant, "--version", "HEAD")
        assert code == 0, output
        assert "Computer says yes" in output
        assert "All required verification results are published and successful" in output


def test_a_failed_verification_is_named_as_failed(repo: Path) -> None:
    record(repo, success=False)

    code, output = run(repo, "can-i-deploy", "coupon-service", "--version", "WORKTREE")

    assert code == 1
    assert (
        "The verification between version WORKTREE of backoffice and version 1.0.0 (WORKTREE) of coupon-service failed"
        in output
    )


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("contracts/coupon/openapi.yaml", CONTRACT.format(version="1.1.0")),
        ("contracts/shared/responses.yaml", SHARED % ", changed"),  # reached through a $ref
        ("contracts/pacts/backoffice-coupon-service.json", pact("another request")),
    ],
)
def test_a_change_to_either_side_needs_a_new_verification_and_old_versions_keep_theirs(
    repo: Path, path: str, content: str
) -> None:
    record(repo)
    verified = commit(repo, "record the verification")
    (repo / path).write_text(content)
    commit(repo, "change one side")

    code, output = run(repo, "can-i-deploy", "coupon-service", "--version", "HEAD")
    assert code == 1
    assert "There is no verified pact between" in output

    assert run(repo, "can-i-deploy", "coupon-service", "--version", verified)[0] == 0
    record(repo)
    assert run(repo, "can-i-deploy", "coupon-service", "--version", "WORKTREE")[0] == 0


def test_a_contract_version_names_the_newest_commit_that_has_it(repo: Path) -> None:
    record(repo)
    commit(repo, "record 1.0.0")
    (repo / "contracts/coupon/openapi.yaml").write_text(CONTRACT.format(version="1.1.0"))
    commit(repo, "release 1.1.0")

    assert run(repo, "can-i-deploy", "coupon-service", "--version", "1.0.0")[0] == 0
    code, output = run(repo, "can-i-deploy", "coupon-service", "--version", "1.1.0")
    assert code == 1
    assert "version 1.1.0 (" in output
    code, output = run(repo, "can-i-deploy", "coupon-service", "--version", "9.9.9")
    assert code == 2
    assert "no commit has version 9.9.9" in output


def test_to_an_environment_checks_against_what_runs_there(repo: Path) -> None:
    record(repo)
    deployed_consumer = commit(repo, "record the verification")
    code, output = run(
        repo, "pacts", "record-deployment", "backoffice", "--version", "HEAD", "--environment", "production"
    )
    assert code == 0, output
    commit(repo, "backoffice in production")

    # The consumer changes its pact; the provider may still deploy: production runs the consumer verified before.
    (repo / "contracts/pacts/backoffice-coupon-service.json").write_text(pact("another request"))
    commit(repo, "consumer changes its pact")
    assert run(repo, "can-i-deploy", "coupon-service", "--version", "HEAD", "--to", "production")[0] == 0
    # The new consumer version may not: the provider is not in production at all, so nothing is checked...
    code, output = run(repo, "can-i-deploy", "backoffice", "--version", "HEAD", "--to", "production")
    assert code == 0
    assert "coupon-service has no version recorded in production" in output
    # ...until it is, at the version that never verified the new pact.
    run(
        repo,
        "pacts",
        "record-deployment",
        "coupon-service",
        "--version",
        deployed_consumer,
        "--environment",
        "production",
    )
    code, output = run(repo, "can-i-deploy", "backoffice", "--version", "HEAD", "--to", "production")
    assert code == 1
    assert "There is no verified pact between" in output


def test_recording_the_same_result_again_changes_nothing(repo: Path) -> None:
    record(repo)
    records = repo / "contracts/pacts/verifications.yaml"
    first = records.read_text()

    assert record(repo)[1].strip() == "already recorded with this result"
    assert records.read_text() == first
    entries = yaml.safe_load(first)["verifications"]
    assert [(e["consumer"], e["provider"], e["success"], e["interactions"]) for e in entries] == [
        ("backoffice", "coupon-service", True, 1)
    ]
    assert entries[0]["providerVersion"]["contractVersion"] == "1.0.0"
    assert entries[0]["providerVersion"]["commit"].endswith("-dirty") is False


def test_the_matrix_marks_which_verifications_match_the_working_tree(repo: Path) -> None:
    record(repo)
    commit(repo, "record")
    (repo / "contracts/coupon/openapi.yaml").write_text(CONTRACT.format(version="1.1.0"))
    record(repo)

    code, output = run(repo, "pacts", "matrix")

    assert code == 0
    lines = [line for line in output.splitlines() if line.startswith("backoffice")]
    assert len(lines) == 2
    assert sorted(line.split("|")[-1].strip() for line in lines) == ["current", "earlier content"]
    # The second verification ran against a contract not yet committed, and says so.
    rows = json.loads(run(repo, "pacts", "matrix", "--format", "json")[1])
    current = next(row for row in rows if row["reason"] == "current")
    assert current["provider_version"].startswith("1.1.0 (")
    assert current["provider_version"].endswith("-dirty)")
    earlier = next(row for row in rows if row["reason"] == "earlier content")
    assert "-dirty" not in earlier["provider_version"]


def test_an_unknown_revision_is_a_usage_error(repo: Path) -> None:
    code, output = run(repo, "can-i-deploy", "coupon-service", "--version", "no-such-branch")

    assert code == 2
    assert "neither WORKTREE, a contract version nor a git revision" in output


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()

    code, output = run(tmp_path, "can-i-deploy", "coupon-service", "--version", "HEAD")

    assert code == 2
    assert "not in a git repository" in output
