"""The fixture these tests share: a git repository holding the base shop contracts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.contractkit.diff.corpus import PAIRS


def git(repository: Path, *args: str) -> None:
    """Run git in ``repository`` with a throwaway identity."""
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repository,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose last commit holds the base shop contracts, checked out in the working directory."""
    shutil.copytree(PAIRS / "shop" / "base", tmp_path / "contracts")
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "--quiet", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path
