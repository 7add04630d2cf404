"""Exit codes of every contractkit command; scripts and CI rely on these numbers."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """How a command ended."""

    OK = 0
    # The contract (or the implementation under verification) has problems.
    PROBLEMS = 1
    # The command could not do its job: bad options, a missing or unreadable file (like click usage errors).
    USAGE = 2
