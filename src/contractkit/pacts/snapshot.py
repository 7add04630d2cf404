"""What the repository held at one version: its pacts, and a fingerprint of each service's contract.

A pacticipant's version is a git commit (or the working tree, for a verification that runs before its
commit). What a verification proves depends only on content: the pact's interactions and the provider's
contract files. So a verification result is matched by fingerprints of that content, not by commit: a
result recorded at one commit still counts at a later commit that changed neither side, which is how a
Pact Broker reuses a verification for a pact whose content did not change.

- A pact's fingerprint is the SHA-256 of its canonical JSON (consumer, provider, interactions; the
  metadata, which records tool versions, does not count).
- A contract's fingerprint is the SHA-256 of the git blob ids of every file under the service's folder
  and under ``contracts/shared/``, which its ``$ref``s may reach.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints and types-PyYAML is not locked

WORKTREE = "WORKTREE"
SHARED = "shared"
PACTS = "pacts"
# Versions that look like a contract's `info.version` are looked up in the contract's history.
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
# How far back a contract version is looked for: enough for years of releases, bounded for any repository.
MAX_HISTORY = 500


class VersionError(Exception):
    """A version that names nothing in this repository, or a repository git cannot read."""


@dataclass(frozen=True, slots=True)
class Pact:
    """One pact file as a snapshot holds it."""

    path: str  # relative to the repository
    consumer: str
    provider: str
    fingerprint: str
    interactions: int


def git(args: list[str], cwd: Path) -> str:
    """The output of a git command in ``cwd``; raises :class:`VersionError` when git fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise VersionError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise VersionError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout.decode("utf-8", "replace")


def blob_id(content: bytes) -> str:
    """The id git gives a file with this content (so the working tree and a commit fingerprint alike)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def pact_fingerprint(pact: dict[str, Any]) -> str:
    """The fingerprint of a pact's content: consumer, provider and interactions, canonically serialized."""
    content = {key: pact.get(key) for key in ("consumer", "provider", "interactions")}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def service_of(pacticipant: str) -> str:
    """The contract folder of a pacticipant, by the convention ``<service>-service``."""
    return pacticipant.removesuffix("-service")


class Snapshot:
    """The pacts and contracts of one version: a commit, or the working tree."""

    def __init__(self, repository: Path, contracts: str, commit: str | None) -> None:
        self.repository = repository
        self.contracts = contracts.strip("/")  # relative to the repository, e.g. "contracts"
        self.commit = commit  # None: the working tree
        self._folders: dict[str, dict[str, bytes | str]] = {}  # read once: every pact's check needs the shared files

    @property
    def label(self) -> str:
        """The version as reports show it: a short commit, or ``WORKTREE``."""
        return self.commit[:12] if self.commit else WORKTREE

    def _files(self, folder: str) -> dict[str, bytes | str]:
        """Files under ``folder`` (relative to the repository): their content (working tree) or blob id (commit)."""
        if folder not in self._folders:
            self._folders[folder] = self._list(folder)
        return self._folders[folder]

    def _list(self, folder: str) -> dict[str, bytes | str]:
        if self.commit is not None:
            listed = git(["ls-tree", "-r", "-z", self.commit, "--", folder], self.repository)
            found: dict[str, bytes | str] = {}
            for entry in filter(None, listed.split("\0")):
                meta, path = entry.split("\t", 1)
                kind, blob = meta.split()[1:3]
                if kind == "blob":
                    found[path] = blob
            return found
        base = self.repository / folder
        if not base.is_dir():
            return {}
        return {
            path.relative_to(self.repository).as_posix(): path.read_bytes()
            for path in sorted(base.rglob("*"))
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in path.parts)
        }

    def _read(self, path: str) -> bytes | None:
        if self.commit is None:
            file = self.repository / path
            return file.read_bytes() if file.is_file() else None
        try:
            return git(["show", f"{self.commit}:{path}"], self.repository).encode()
        except VersionError:
            return None

    def pacts(self) -> list[Pact]:
        """Every pact of this version (``<contracts>/pacts/*.json``); unreadable files are skipped."""
        folder = f"{self.contracts}/{PACTS}"
        found = []
        for path in sorted(self._files(folder)):
            if "/" in path.removeprefix(folder + "/") or not path.endswith(".json"):
                continue
            content = self._read(path)
            try:
                pact = json.loads(content or b"")
                consumer, provider = pact["consumer"]["name"], pact["provider"]["name"]
                interactions = len(pact.get("interactions") or [])
            except (ValueError, KeyError, TypeError):
                continue
            found.append(Pact(path, str(consumer), str(provider), pact_fingerprint(pact), interactions))
        return found

    def contract_fingerprint(self, pacticipant: str) -> str | None:
        """The fingerprint of a pacticipant's contract files, or None when it has no contract here."""
        own = self._files(f"{self.contracts}/{service_of(pacticipant)}")
        if not own:
            return None
        files = {**own, **self._files(f"{self.contracts}/{SHARED}")}
        digest = hashlib.sha256()
        for path in sorted(files):
            value = files[path]
            blob = value if isinstance(value, str) else blob_id(value)
            digest.update(f"{path}\0{blob}\n".encode())
        return "sha256:" + digest.hexdigest()

    def contract_version(self, pacticipant: str) -> str | None:
        """The ``info.version`` of a pacticipant's contract at this version, if it has one."""
        content = self._read(f"{self.contracts}/{service_of(pacticipant)}/openapi.yaml")
        if content is None:
            return None
        try:
            info = yaml.safe_load(content).get("info") or {}
        except (yaml.YAMLError, AttributeError):
            return None
        version = info.get("version") if isinstance(info, dict) else None
        return str(version) if version is not None else None


def repository_of(start: Path) -> Path:
    """The top of the git repository around ``start``."""
    return Path(git(["rev-parse", "--show-toplevel"], start).strip())


def resolve(repository: Path, contracts: str, pacticipant: str, version: str) -> Snapshot:
    """The snapshot a pacticipant's version names.

    ``WORKTREE`` is the working tree; a contract version (``1.2.0``) is the newest commit whose contract
    of that pacticipant has it; anything else is a git revision (``HEAD``, a commit, a tag, a branch).
    """
    if version == WORKTREE:
        return Snapshot(repository, contracts, None)
    if _SEMVER.match(version):
        contract = f"{contracts.strip('/')}/{service_of(pacticipant)}/openapi.yaml"
        history = git(["log", f"--max-count={MAX_HISTORY}", "--format=%H", "--", contract], repository).split()
        for commit in history:
            if Snapshot(repository, contracts, commit).contract_version(pacticipant) == version:
                return Snapshot(repository, contracts, commit)
        raise VersionError(f"no commit has version {version} of {pacticipant}'s contract ({contract})")
    try:
        commit = git(["rev-parse", "--verify", "--quiet", f"{version}^{{commit}}"], repository).strip()
    except VersionError:
        raise VersionError(f"{version!r} is neither WORKTREE, a contract version nor a git revision") from None
    return Snapshot(repository, contracts, commit)
