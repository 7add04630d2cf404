"""Inputs of the benchmarks, fetched once into `bench/.cache/` (ignored by git).

Public OpenAPI documents come from npm packages (`npm pack`), the tools we compare against from
npm installs into their own prefix; both are pinned to a version, so a run is repeatable.
"""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
SHARED_SPECS = Path(__file__).resolve().parents[2] / "shared" / "bench-specs"


def npm_pack(package: str, version: str) -> Path:
    """The unpacked contents (`package/`) of `package@version`, fetched with `npm pack` once."""
    target = CACHE / "packs" / f"{package.replace('/', '__').lstrip('@')}-{version}"
    if not (target / "package").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination", str(target)],
            check=True,
            capture_output=True,
            text=True,
        )
        tarball = target / result.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as archive:
            archive.extractall(target, filter="data")
        tarball.unlink()
    return target / "package"


def _npm_install(package: str, version: str) -> Path:
    """The prefix where `package@version` is installed with npm (once)."""
    prefix = CACHE / "tools" / f"{package.replace('/', '__').lstrip('@')}-{version}"
    if not (prefix / "node_modules" / package).is_dir():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent", f"{package}@{version}"],
            check=True,
        )
    return prefix


def npm_tool(package: str, version: str, binary: str) -> Path:
    """The executable `binary` of a command-line tool installed from npm."""
    return _npm_install(package, version) / "node_modules" / ".bin" / binary


def npm_module(package: str, version: str) -> Path:
    """The `node_modules` folder holding a library installed from npm (for a Node script to require)."""
    return _npm_install(package, version) / "node_modules"


def octokit_description(version: str) -> Path:
    """GitHub's REST API description (about 13 MB of JSON) as published in `@octokit/openapi@version`."""
    return npm_pack("@octokit/openapi", version) / "generated" / "api.github.com.json"
