"""The base side from git: a commit's files read with ``git show``, under their real repository paths.

A contract at a commit is loaded like one on disk, relative ``$ref``s included (a change under
``contracts/shared/`` shows up in every contract that refers to it), without writing anything: the
workspace asks this module for each file it needs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from contractkit.discovery import CONTRACT_NAMES, SKIPPED_DIRECTORIES
from contractkit.loading import Boundary, LimitExceeded, LoadPolicy, RefusedFile, UnreadableFile, Workspace
from contractkit.loading.limits import describe


class GitError(Exception):
    """git could not answer: not a repository, unknown ref, or git missing."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, encoding="utf-8", check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise GitError(f"git {args[0]} gave something that is not UTF-8 text") from None
    if done.returncode != 0:
        raise GitError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


class GitTree:
    """The files of one commit of the repository around ``cwd``."""

    def __init__(self, ref: str, cwd: Path | None = None) -> None:
        here = Path.cwd() if cwd is None else cwd
        self.ref = ref
        self.repository = Path(_git(["rev-parse", "--show-toplevel"], here).strip())
        self._real_repository = os.path.realpath(self.repository)
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], self.repository)

    def relative(self, path: Path) -> str:
        """``path`` (absolute or relative to the working directory) relative to the repository root, with ``/``."""
        relative = os.path.relpath(os.path.realpath(path), self._real_repository)
        if relative.startswith(".."):
            raise GitError(f"{path} is outside the repository {self.repository}")
        return Path(relative).as_posix()

    def label(self, path: Path) -> str:
        """How a file of this commit is shown: ``REF:path``."""
        return f"{self.ref}:{self.relative(path)}"

    def read(self, path: Path) -> str:
        """The text of ``path`` at this commit; raises :class:`UnreadableFile` when it is not there."""
        try:
            return _git(["show", f"{self.ref}:{self.relative(path)}"], self.repository)
        except GitError as exc:
            raise UnreadableFile(path, f"cannot read at {self.ref}: {exc}") from None

    def contracts(self, directory: Path) -> list[Path]:
        """The contracts under ``directory`` at this commit, by the rules of ``contractkit.discovery``."""
        listed = _git(["ls-tree", "-r", "--name-only", self.ref, "--", self.relative(directory)], self.repository)
        found = []
        for line in listed.splitlines():
            parts = line.split("/")
            skipped = any(part in SKIPPED_DIRECTORIES or part.startswith(".") for part in parts[:-1])
            if parts[-1] in CONTRACT_NAMES and not skipped:
                found.append(self.repository / line)
        return sorted(found)

    def changed(self, directory: Path) -> set[Path]:
        """Files under ``directory`` that differ between this commit and the working tree (untracked included)."""
        where = self.relative(directory)
        tracked = _git(["diff", "--name-only", "--no-renames", self.ref, "--", where], self.repository)
        untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name", "--", where], self.repository)
        return {Path(os.path.normpath(self.repository / line)) for line in (tracked + untracked).splitlines() if line}


class GitWorkspace(Workspace):
    """A workspace whose files come from a :class:`GitTree` instead of the disk.

    The same boundary and limits apply; the root defaults to the repository. Git stores a symlink as
    the text of its target, so nothing read here can lead outside the repository by a link.
    """

    def __init__(self, tree: GitTree, root: Path, policy: LoadPolicy | None = None) -> None:
        self._tree = tree
        super().__init__(root, policy)

    @property
    def loaded(self) -> set[Path]:
        """The files read so far."""
        return set(self.documents)

    def _boundary(self, root: Path) -> Boundary:
        return Boundary(self.policy.root if self.policy.root is not None else self._tree.repository)

    def _source(self, path: Path, referenced: bool) -> str:
        try:
            inside = self._tree.repository / self._tree.relative(path)
        except GitError:
            raise RefusedFile(path, f"outside the repository {self._tree.repository}") from None
        self.boundary.admit_lexically(inside, referenced)
        text = self._tree.read(path)
        if len(text) > self.limits.file_size:
            limit = describe("file_size", self.limits.file_size)
            raise LimitExceeded(path, f"file is larger than {limit} bytes allows")
        if text.startswith("\ufeff"):
            text = text[1:]
        return text
