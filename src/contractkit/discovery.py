"""Find the contracts to check under the paths a user names."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

CONTRACT_NAMES = frozenset({"openapi.yaml", "openapi.yml", "openapi.json"})
# Partials shared between contracts and consumer pacts are not contracts of their own.
SKIPPED_DIRECTORIES = frozenset({"shared", "pacts"})


def find_contracts(paths: Iterable[Path]) -> list[Path]:
    """Contracts named by ``paths``: files as given, directories searched recursively.

    In a directory, every ``openapi.yaml|yml|json`` counts except those under ``shared/``,
    ``pacts/`` or hidden directories. Raises ``FileNotFoundError`` for a path that does not exist.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(_search(path))
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    return list(dict.fromkeys(found))


def _search(directory: Path) -> list[Path]:
    found: list[Path] = []
    for folder, subfolders, files in os.walk(directory):
        # Pruning in place keeps os.walk out of skipped trees (and out of .git or .venv entirely).
        subfolders[:] = sorted(
            name for name in subfolders if name not in SKIPPED_DIRECTORIES and not name.startswith(".")
        )
        found.extend(Path(folder) / name for name in sorted(files) if name in CONTRACT_NAMES)
    return found
