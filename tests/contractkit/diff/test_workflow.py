"""The GitHub workflow shipped for users stays valid and safe on untrusted pull requests.

Triggers, install steps and commands that exist; and the advice of the tools page: the job that reads
the pull request holds a read-only token and no credentials, and the one job that writes runs nothing
from the pull request.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from contractkit.cli import app
from contractkit.diff.report.markdown import MARKER

ROOT = Path(__file__).parents[3]
WORKFLOW = ROOT / ".github" / "workflows" / "contracts.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints

    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _steps(workflow: dict[Any, Any], job: str | None = None) -> list[dict[str, Any]]:
    jobs = [workflow["jobs"][job]] if job is not None else workflow["jobs"].values()
    return [step for each in jobs for step in each["steps"]]


def _runs(workflow: dict[Any, Any]) -> list[str]:
    return [line.strip() for step in _steps(workflow) for line in str(step.get("run", "")).splitlines() if line.strip()]


def test_runs_on_pull_requests_never_pull_request_target(workflow: dict[Any, Any]) -> None:
    # YAML 1.1 reads the key `on` as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers
    assert "pull_request_target" not in triggers
    assert "workflow_run" not in triggers
    assert "secrets." not in WORKFLOW.read_text(encoding="utf-8")


def test_the_job_that_reads_the_pull_request_can_only_read(workflow: dict[Any, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read"}
    review = workflow["jobs"]["review"]
    assert review["permissions"] == {"contents": "read"}
    checkout = next(step for step in review["steps"] if str(step.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert not any("env" in step and "GITHUB_TOKEN" in str(step["env"]) for step in review["steps"])


def test_the_job_that_writes_runs_nothing_from_the_pull_request(workflow: dict[Any, Any]) -> None:
    publish = workflow["jobs"]["publish"]
    assert set(publish["permissions"]) == {"actions", "contents", "pull-requests", "security-events"}
    assert publish["permissions"]["contents"] == "read"
    assert publish["needs"] == "review"
    # Forks get a read-only token anyway; the condition keeps the job from failing on them.
    assert "head.repo.full_name == github.repository" in publish["if"]
    uses = [str(step.get("uses", "")) for step in publish["steps"]]
    assert not any(use.startswith("actions/checkout@") for use in uses)
    assert not any("run" in step for step in publish["steps"])


def test_checks_out_history_and_installs_like_the_makefile(workflow: dict[Any, Any]) -> None:
    checkout = next(step for step in _steps(workflow) if str(step.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    pinned = re.search(r"^UV_VERSION := (\S+)$", makefile, re.MULTILINE)
    assert pinned is not None
    assert workflow["env"]["UV_VERSION"] == pinned.group(1)
    runs = _runs(workflow)
    assert ".venv/bin/uv pip sync --quiet --python .venv/bin/python requirements.lock" in runs
    assert ".venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e ." in runs


def test_validates_lints_to_sarif_and_diffs_against_the_base_branch(workflow: dict[Any, Any]) -> None:
    runs = _runs(workflow)
    assert ".venv/bin/contractkit validate contracts/" in runs
    assert ".venv/bin/contractkit lint --format sarif --output lint.sarif" in runs
    assert any(run.startswith('.venv/bin/contractkit diff --git-base "$BASE_REF" --format markdown') for run in runs)
    upload = next(step for step in _steps(workflow, "publish") if "upload-sarif" in str(step.get("uses", "")))
    assert upload["with"]["sarif_file"] == "lint.sarif"
    kept = next(step for step in _steps(workflow, "review") if "upload-artifact" in str(step.get("uses", "")))
    assert kept["with"]["path"].split() == ["lint.sarif", "contract-diff.md"]
    diff = next(step for step in _steps(workflow) if step.get("id") == "diff")
    assert diff["env"]["BASE_REF"] == "origin/${{ github.base_ref }}"


def test_posts_the_markdown_review_as_one_updated_comment(workflow: dict[Any, Any]) -> None:
    comment = next(step for step in _steps(workflow, "publish") if "github-script" in str(step.get("uses", "")))
    script = comment["with"]["script"]
    assert MARKER in script
    assert 'readFileSync("contract-diff.md"' in script
    assert "updateComment" in script
    assert "createComment" in script


def test_every_contractkit_command_and_option_used_exists(workflow: dict[Any, Any]) -> None:
    # Typer (0.29) vendors its own click: read the group's commands without naming a click class.
    commands: Any = typer.main.get_command(app)
    used = [shlex.split(run) for run in _runs(workflow) if run.startswith(".venv/bin/contractkit ")]
    assert {words[1] for words in used} == {"validate", "lint", "diff"}
    for words in used:
        command = commands.commands.get(words[1])
        assert command is not None, f"contractkit {words[1]} is not a command"
        options = {option for param in command.params for option in getattr(param, "opts", ())}
        for word in words[2:]:
            if word.startswith("--"):
                assert word in options, f"contractkit {words[1]} has no option {word}"
