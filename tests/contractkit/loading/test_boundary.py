"""The root a contract's files must stay in: found from the contract, enforced on where paths really lead."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from contractkit.loading import Boundary, RefusedFile, find_root


def test_the_root_is_the_repository_else_the_folder(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "--quiet", str(tmp_path / "repo")], check=True)
    nested = tmp_path / "repo" / "contracts" / "coupon"
    nested.mkdir(parents=True)
    assert find_root(nested / "openapi.yaml") == tmp_path / "repo"
    (tmp_path / "loose").mkdir()
    assert find_root(tmp_path / "loose" / "openapi.yaml") == tmp_path / "loose"


def test_a_git_file_marks_a_worktree_as_a_repository(tmp_path: Path) -> None:
    (tmp_path / "worktree" / "contracts").mkdir(parents=True)
    (tmp_path / "worktree" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/x\n")
    assert find_root(tmp_path / "worktree" / "contracts" / "openapi.yaml") == tmp_path / "worktree"


def test_a_symlinked_contract_does_not_choose_its_own_root(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "--quiet", str(tmp_path / "elsewhere")], check=True)
    (tmp_path / "elsewhere" / "secret.yaml").write_text("a: 1\n")
    (tmp_path / "contracts").mkdir()
    link = tmp_path / "contracts" / "openapi.yaml"
    link.symlink_to(tmp_path / "elsewhere" / "secret.yaml")
    boundary = Boundary(find_root(link))
    assert boundary.root == tmp_path / "contracts"
    with pytest.raises(RefusedFile, match="through a symbolic link"):
        boundary.admit(link, referenced=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "money.yaml").write_text("Money: {}\n")
    (root / ".git").mkdir()
    (root / ".git" / "config.json").write_text("{}\n")
    (tmp_path / "outside.yaml").write_text("a: 1\n")
    (root / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "alias.yaml").symlink_to(root / "shared" / "money.yaml")
    (root / "linked").symlink_to(tmp_path, target_is_directory=True)
    return root


def test_files_inside_are_admitted_even_through_symlinks_that_stay_inside(tree: Path) -> None:
    boundary = Boundary(tree)
    assert boundary.admit(tree / "shared" / "money.yaml") == tree / "shared" / "money.yaml"
    assert boundary.admit(tree / "alias.yaml") == tree / "shared" / "money.yaml"
    assert boundary.admit(tree / "shared" / ".." / "shared" / "money.yaml") == tree / "shared" / "money.yaml"


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("../outside.yaml", "outside the root"),
        ("out.yaml", "through a symbolic link"),
        ("linked/outside.yaml", "through a symbolic link"),
        (".git/config.json", "inside .git"),
        ("shared/notes.txt", "not a .yaml, .yml or .json file"),
    ],
)
def test_everything_else_is_refused_before_it_is_opened(tree: Path, relative: str, reason: str) -> None:
    with pytest.raises(RefusedFile, match=reason):
        Boundary(tree).admit(Path(os.path.join(tree, relative)))


def test_the_contract_named_by_the_user_may_have_any_name(tree: Path) -> None:
    (tree / "contract.txt").write_text("openapi: 3.1.0\n")
    boundary = Boundary(tree)
    assert boundary.admit(tree / "contract.txt", referenced=False) == tree / "contract.txt"
    with pytest.raises(RefusedFile):
        boundary.admit(tree / "contract.txt")
