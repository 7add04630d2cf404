"""What a command lets contracts make it read: the root their files must stay in, and the limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from contractkit.loading.boundary import Boundary, find_root
from contractkit.loading.limits import Limits


@dataclass(frozen=True, slots=True)
class LoadPolicy:
    """The root (``None``: each contract's repository, else its folder) and the :class:`Limits`."""

    root: Path | None = None
    limits: Limits = field(default_factory=Limits)

    def boundary_for(self, contract: Path) -> Boundary:
        """The boundary the files of ``contract`` must stay inside."""
        return Boundary(self.root if self.root is not None else find_root(contract))
