"""The folder a contract's files must stay in (its root), found and enforced before any file is opened.

By default the root is the git repository that holds the contract (the nearest folder above it with
a ``.git``), or the contract's own folder outside a repository; ``--root`` sets another. A file is
inside when the path its symlinks lead to is inside the root's own real path, so a symlink that a
pull request adds cannot lead a ``$ref`` out. Referenced files must also be YAML or JSON and may not
lie in ``.git`` (which can hold a checkout's credentials).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from contractkit.loading.errors import RefusedFile

REFERENCEABLE_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
_GIT = ".git"


def find_root(contract: Path) -> Path:
    """The default root of ``contract``: the repository holding it, else its folder (both absolute).

    Found from the path as written (not where a symlinked contract leads), so a contract cannot
    choose its own root by being a symlink.
    """
    return _root_of(Path(os.path.normpath(Path(contract).absolute())).parent)


@lru_cache(maxsize=256)
def _root_of(folder: Path) -> Path:
    for candidate in (folder, *folder.parents):
        # A worktree or submodule has a `.git` file rather than a folder: both mark a repository.
        if os.path.lexists(candidate / _GIT):
            return candidate
    return folder


class Boundary:
    """The root folder and the checks that keep every file read inside it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.normpath(Path(root).absolute()))
        self._real_root = os.path.realpath(self.root)

    def __repr__(self) -> str:
        return f"Boundary({str(self.root)!r})"

    def admit(self, path: Path, referenced: bool = True) -> Path:
        """Where ``path`` really is (symlinks followed), if contractkit may read it; else :class:`RefusedFile`.

        ``referenced`` files (reached by a ``$ref``) must also be ``.yaml``, ``.yml`` or ``.json``; the
        root contract a user names may have any name.
        """
        self.admit_lexically(path, referenced)
        real = os.path.realpath(path)
        if not _inside(real, self._real_root):
            raise RefusedFile(
                path,
                f"leads outside the root {self.root} through a symbolic link; "
                "contractkit reads only files under the root",
            )
        if _GIT in Path(os.path.relpath(real, self._real_root)).parts:
            raise RefusedFile(path, "leads into .git through a symbolic link; contractkit does not read .git")
        return Path(real)

    def admit_lexically(self, path: Path, referenced: bool = True) -> None:
        """The checks :meth:`admit` makes on the path as written (for files that do not come from the disk)."""
        normal = os.path.normpath(Path(path).absolute())
        if not _inside(normal, str(self.root)):
            raise RefusedFile(
                path, f"outside the root {self.root}; contractkit reads only files under the root (see --root)"
            )
        if _GIT in Path(os.path.relpath(normal, self.root)).parts:
            raise RefusedFile(path, "inside .git; contractkit does not read the repository's own files")
        if referenced and Path(normal).suffix.lower() not in REFERENCEABLE_SUFFIXES:
            raise RefusedFile(path, "not a .yaml, .yml or .json file; only those can be referenced")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
