"""The records a Pact Broker would keep, as two reviewed files beside the pacts.

- ``verifications.yaml``: every verification of a pact against a provider, with both sides' versions.
- ``environments.yaml``: which version of each pacticipant runs in each environment.

Both are YAML (not ``*.json``) so nothing that reads every pact in the folder mistakes them for pacts.
They are written sorted and only when their content changes, so running the tests again does not churn
them: a verification of content already verified with the same result keeps its first date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints and types-PyYAML is not locked

VERIFICATIONS = "verifications.yaml"
ENVIRONMENTS = "environments.yaml"
_HEADER = "# Written by contractkit ({what}); read by `contractkit can-i-deploy`. Review it like code.\n"


@dataclass(frozen=True, slots=True)
class Side:
    """One pacticipant's version in a verification: where it was, and the content that was verified."""

    commit: str  # the commit verified, or WORKTREE with the commit the working tree started from
    fingerprint: str  # the pact's (consumer side) or the contract's (provider side)
    contractVersion: str | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of replaying one pact against one provider version."""

    consumer: str
    consumerVersion: Side
    provider: str
    providerVersion: Side
    success: bool
    interactions: int
    verifiedAt: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the verification is about: the pact's content and the provider's contract."""
        return (self.consumer, self.consumerVersion.fingerprint, self.provider, self.providerVersion.fingerprint)


@dataclass(frozen=True, slots=True)
class Deployment:
    """A pacticipant's version recorded as running in an environment."""

    environment: str
    pacticipant: str
    commit: str
    contractVersion: str | None
    deployedAt: str


def now() -> str:
    """The current time as the records write it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _load(path: Path, key: str) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a mapping with a `{key}` list")
    return [entry for entry in entries if isinstance(entry, dict)]


def _write(path: Path, what: str, key: str, entries: list[dict[str, Any]]) -> bool:
    text = _HEADER.format(what=what) + yaml.safe_dump({key: entries}, sort_keys=False, allow_unicode=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def load_verifications(pacts: Path) -> list[Verification]:
    """The verifications recorded in ``pacts/verifications.yaml`` (none when the file is absent)."""
    found = []
    for entry in _load(pacts / VERIFICATIONS, "verifications"):
        try:
            found.append(
                Verification(
                    consumer=str(entry["consumer"]),
                    consumerVersion=Side(**entry["consumerVersion"]),
                    provider=str(entry["provider"]),
                    providerVersion=Side(**entry["providerVersion"]),
                    success=bool(entry["success"]),
                    interactions=int(entry.get("interactions", 0)),
                    verifiedAt=str(entry["verifiedAt"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{pacts / VERIFICATIONS}: a verification that cannot be read: {exc}") from None
    return found


def record_verification(pacts: Path, verification: Verification) -> bool:
    """Add or update the record of a verification; True when the file changed.

    One record per pact content and provider contract: verifying the same content again with the same
    result changes nothing; a different result replaces the record (with the new date and commits).
    """
    records = {record.key: record for record in load_verifications(pacts)}
    known = records.get(verification.key)
    if known is not None and known.success == verification.success:
        return False
    records[verification.key] = verification
    ordered = sorted(records.values(), key=lambda r: (r.provider, r.consumer, r.verifiedAt, r.key))
    return _write(pacts / VERIFICATIONS, "provider verification", "verifications", [asdict(r) for r in ordered])


def load_deployments(pacts: Path) -> list[Deployment]:
    """The deployments recorded in ``pacts/environments.yaml``."""
    try:
        return [Deployment(**entry) for entry in _load(pacts / ENVIRONMENTS, "deployments")]
    except TypeError as exc:
        raise ValueError(f"{pacts / ENVIRONMENTS}: a deployment that cannot be read: {exc}") from None


def record_deployment(pacts: Path, deployment: Deployment) -> bool:
    """Record that a pacticipant's version now runs in an environment (replacing the one before it)."""
    kept = {(d.environment, d.pacticipant): d for d in load_deployments(pacts)}
    known = kept.get((deployment.environment, deployment.pacticipant))
    if known is not None and known.commit == deployment.commit:
        return False
    kept[(deployment.environment, deployment.pacticipant)] = deployment
    ordered = sorted(kept.values(), key=lambda d: (d.environment, d.pacticipant))
    return _write(pacts / ENVIRONMENTS, "record-deployment", "deployments", [asdict(d) for d in ordered])


def deployed(pacts: Path, environment: str) -> dict[str, Deployment]:
    """The pacticipants recorded in ``environment``, by name."""
    return {d.pacticipant: d for d in load_deployments(pacts) if d.environment == environment}
