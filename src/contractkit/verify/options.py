"""What a verification run needs to know: where the implementation is and how hard to try."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from contractkit.loading import LoadPolicy

# Every Schemathesis phase; a contract is only verified when all of them ran.
ALL_PHASES: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True)
class VerifyOptions:
    """Options of one ``verify`` run; defaults are Schemathesis's own except where noted."""

    base_url: str
    # Sent as `Authorization: Bearer` through every bearer-like security scheme of the contract.
    token: str | None = None
    junit_xml: Path | None = None
    max_examples: int | None = None
    seed: int | None = None
    workers: int = 1
    phases: Sequence[str] = field(default=ALL_PHASES)
    # The root the contract's files must stay in, and the loading limits.
    policy: LoadPolicy = field(default_factory=LoadPolicy)

    def __post_init__(self) -> None:
        unknown = [phase for phase in self.phases if phase not in ALL_PHASES]
        if unknown or not self.phases:
            raise ValueError(f"phases must be a non-empty subset of {', '.join(ALL_PHASES)}; got {unknown}")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.max_examples is not None and self.max_examples < 1:
            raise ValueError("max_examples must be at least 1")
