"""Mermaid, shipped with the site so diagrams render without a CDN.

Material for MkDocs loads Mermaid from a CDN unless a global `mermaid` already exists; the site
ships `dist/mermaid.min.js` of a pinned npm release (and its license) instead. The package is
fetched once with `npm pack` into `.cache/docs/` (ignored by git): the file is about 3.5 MB,
too big to keep in the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

# Material 9.8 is written against Mermaid 11; pinned to a patch release so every build ships the same file.
MERMAID_VERSION = "11.17.2"
SCRIPT = "assets/javascripts/mermaid.min.js"
LICENSE = "assets/javascripts/mermaid.LICENSE.txt"


@dataclass(frozen=True, slots=True)
class Mermaid:
    """Where the fetched files are."""

    script: Path
    license: Path


def ensure_mermaid(cache: Path) -> Mermaid:
    """The pinned Mermaid release under ``cache``, fetched with ``npm pack`` when missing."""
    package = cache / f"mermaid-{MERMAID_VERSION}" / "package"
    found = Mermaid(script=package / "dist" / "mermaid.min.js", license=package / "LICENSE")
    if found.script.is_file() and found.license.is_file():
        return found
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            f"the docs need mermaid@{MERMAID_VERSION} from npm and `npm` is not installed: install Node.js and npm"
        )
    target = package.parent
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "pack", f"mermaid@{MERMAID_VERSION}", "--silent", "--pack-destination", str(target)],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = target / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        members = [m for m in archive.getmembers() if m.name in ("package/LICENSE", "package/dist/mermaid.min.js")]
        archive.extractall(target, members=members, filter="data")
    tarball.unlink()
    return found
