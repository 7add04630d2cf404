"""Entry points of the diff: two contracts (files or ``REF:PATH``), or every contract changed since a git ref."""

from __future__ import annotations

import os
from pathlib import Path

from contractkit.diff.consumers import load_pacts
from contractkit.diff.contract import DiffOptions, compare_contracts
from contractkit.diff.findings import ContractDiff, DiffReport
from contractkit.diff.git import GitTree, GitWorkspace
from contractkit.diff.sides import Side
from contractkit.discovery import find_contracts
from contractkit.loading import LoadPolicy, Workspace


def open_side(spec: str | Path, policy: LoadPolicy | None = None) -> Side:
    """A side from a file path, or from ``REF:PATH`` (read from git) when no such file exists.

    Raises :class:`~contractkit.loading.LoadError` for an unreadable or unparsable root file (or one
    past the ``policy``'s limits) and :class:`~contractkit.diff.git.GitError` when git cannot answer.
    """
    path = Path(spec)
    if path.exists() or ":" not in str(spec):
        return Side(Workspace(path, policy))
    ref, _, name = str(spec).partition(":")
    tree = GitTree(ref)
    return Side(GitWorkspace(tree, Path(name).absolute(), policy), tree.label)


def diff_contracts(base: str | Path, revision: str | Path, options: DiffOptions | None = None) -> DiffReport:
    """Compare two contracts; each is a file or ``REF:PATH``."""
    options = options or DiffOptions()
    interactions, notes = load_pacts(options.pacts, options.policy)
    contract = compare_contracts(
        open_side(base, options.policy), open_side(revision, options.policy), options, interactions
    )
    return DiffReport((contract,), tuple(notes))


def diff_git(ref: str, contracts: Path = Path("contracts"), options: DiffOptions | None = None) -> DiffReport:
    """Compare every contract under ``contracts`` that differs from ``ref`` (added and removed ones included).

    A contract differs when its root file or any file its refs reach (on either side) changed.
    """
    options = options or DiffOptions()
    interactions, notes = load_pacts(options.pacts, options.policy)
    tree = GitTree(ref)
    changed = {_real(path) for path in tree.changed(contracts)}
    if not changed:
        return DiffReport((), tuple(notes))
    old = {_real(path): path for path in tree.contracts(contracts)}
    new = {_real(path): path for path in find_contracts([contracts])} if contracts.is_dir() else {}
    results: list[ContractDiff] = []
    for path in sorted({*old, *new}):
        base = GitWorkspace(tree, old[path], options.policy) if path in old else None
        revision = Workspace(new[path], options.policy) if path in new else None
        if path not in changed and not _reaches(base, revision, changed):
            continue
        results.append(
            compare_contracts(
                Side(base, tree.label) if base is not None else None,
                Side(revision) if revision is not None else None,
                options,
                interactions,
            )
        )
    return DiffReport(tuple(results), tuple(notes))


def _reaches(base: GitWorkspace | None, revision: Workspace | None, changed: set[Path]) -> bool:
    """True when a file either side's refs reach is among ``changed``."""
    files: set[Path] = set()
    if base is not None:
        base.check_refs()
        files |= {_real(path) for path in base.loaded}
    if revision is not None:
        revision.check_refs()
        files |= {_real(path) for path in revision.documents}
    return not files.isdisjoint(changed)


def _real(path: Path) -> Path:
    # Symlinked checkouts: git names the repository by its real path, the working directory may not.
    return Path(os.path.realpath(path))
