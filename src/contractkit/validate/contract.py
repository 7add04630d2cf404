"""Validate one contract file: parse it, follow its refs, check it against the OpenAPI specification."""

from __future__ import annotations

from pathlib import Path

from contractkit.loading import LoadPolicy, ParseFailure, Workspace
from contractkit.problems import Problem
from contractkit.validate.spec_validator import spec_problems


def validate_contract(path: Path | str, policy: LoadPolicy | None = None) -> list[Problem]:
    """Every problem in the contract at ``path``, sorted by file and line; empty when it is valid.

    Parse errors, broken or refused ``$ref``s (missing file, missing pointer, unparsable file, a
    file outside the root) and specification errors are all problems. A file that cannot be read
    at all raises :class:`~contractkit.loading.UnreadableFile` and one past the ``policy``'s limits
    :class:`~contractkit.loading.LimitExceeded`: those are not problems of the contract's design.
    """
    try:
        workspace = Workspace(Path(path), policy)
    except ParseFailure as exc:
        return [Problem(exc.path, exc.line, "", exc.message, exc.column)]
    return validate_workspace(workspace)


def validate_workspace(workspace: Workspace) -> list[Problem]:
    """:func:`validate_contract` for an already loaded workspace."""
    ref_problems = workspace.check_refs()
    problems = ref_problems + spec_problems(workspace, refs_reported=bool(ref_problems))
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda problem: (str(problem.file), problem.line, problem.column))
