"""can-i-deploy and the matrix, answered from the repository's records instead of a Pact Broker.

``can_i_deploy`` asks, for one pacticipant's version, the question the Broker's command asks: is there a
successful verification for every integration it takes part in, against the versions of the other side
it will meet? Without ``--to`` the other side is the same version of the repository (everything in it
ships together); with ``--to ENV`` it is the version recorded as deployed in that environment, and an
integration whose other side is not deployed there does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contractkit.pacts.records import Deployment, Verification, deployed, load_verifications
from contractkit.pacts.snapshot import Pact, Snapshot, VersionError, resolve


@dataclass(frozen=True, slots=True)
class Row:
    """One integration as the answer shows it (the Broker's matrix columns)."""

    consumer: str
    consumer_version: str
    provider: str
    provider_version: str
    success: bool | None  # None: no verification of this pact against this provider version
    reason: str
    verified_at: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """can-i-deploy's answer: deployable or not, every integration considered, and why."""

    pacticipant: str
    version: str
    environment: str | None
    deployable: bool
    rows: tuple[Row, ...]
    reasons: tuple[str, ...]
    notes: tuple[str, ...]


def _label(snapshot: Snapshot, pacticipant: str) -> str:
    version = snapshot.contract_version(pacticipant)
    return f"{version} ({snapshot.label})" if version else snapshot.label


def _check(
    pact: Pact,
    consumer_at: Snapshot,
    provider_at: Snapshot,
    verifications: dict[tuple[str, str, str, str], Verification],
) -> Row:
    consumer_label = consumer_at.label
    provider_label = _label(provider_at, pact.provider)
    contract = provider_at.contract_fingerprint(pact.provider)
    if contract is None:
        return Row(
            pact.consumer,
            consumer_label,
            pact.provider,
            provider_label,
            None,
            f"{pact.provider} has no contract at {provider_at.label}",
        )
    found = verifications.get((pact.consumer, pact.fingerprint, pact.provider, contract))
    between = f"version {consumer_label} of {pact.consumer} and version {provider_label} of {pact.provider}"
    if found is None:
        return Row(
            pact.consumer,
            consumer_label,
            pact.provider,
            provider_label,
            None,
            f"There is no verified pact between {between}",
        )
    if not found.success:
        return Row(
            pact.consumer,
            consumer_label,
            pact.provider,
            provider_label,
            False,
            f"The verification between {between} failed",
            found.verifiedAt,
        )
    return Row(pact.consumer, consumer_label, pact.provider, provider_label, True, "verified", found.verifiedAt)


def can_i_deploy(
    repository: Path, contracts: str, pacticipant: str, version: str, environment: str | None = None
) -> Decision:
    """Whether ``pacticipant`` at ``version`` may be deployed (to ``environment``, or with the same version of all)."""
    pacts_dir = repository / contracts / "pacts"
    target = resolve(repository, contracts, pacticipant, version)
    verifications = {record.key: record for record in load_verifications(pacts_dir)}
    others: dict[str, Deployment] = deployed(pacts_dir, environment) if environment else {}
    rows: list[Row] = []
    notes: list[str] = []
    own = target.pacts()
    for pact in own:
        if pact.consumer == pacticipant:  # it consumes: its pact against the provider it will meet
            provider_at = _other_side(repository, contracts, pact.provider, target, others, environment, notes)
            if provider_at is not None:
                rows.append(_check(pact, target, provider_at, verifications))
        elif pact.provider == pacticipant and environment is None:
            rows.append(_check(pact, target, target, verifications))
    if environment is not None:  # it provides: the pacts of the consumers deployed there
        for consumer, deployment in sorted(others.items()):
            if consumer == pacticipant:
                continue
            consumer_at = Snapshot(repository, contracts, deployment.commit)
            for pact in consumer_at.pacts():
                if pact.consumer == consumer and pact.provider == pacticipant:
                    rows.append(_check(pact, consumer_at, target, verifications))
    reasons = tuple(row.reason for row in rows if row.success is not True)
    if not rows:
        notes.append(f"{pacticipant} takes part in no pact at {target.label}: there are no missing dependencies")
    return Decision(
        pacticipant,
        target.label,
        environment,
        not reasons,
        tuple(rows),
        reasons or ("All required verification results are published and successful",),
        tuple(notes),
    )


def _other_side(
    repository: Path,
    contracts: str,
    name: str,
    target: Snapshot,
    others: dict[str, Deployment],
    environment: str | None,
    notes: list[str],
) -> Snapshot | None:
    if environment is None:
        return target
    deployment = others.get(name)
    if deployment is None:
        notes.append(f"{name} has no version recorded in {environment}; its integration is not checked")
        return None
    try:
        return resolve(repository, contracts, name, deployment.commit)
    except VersionError as exc:
        notes.append(f"{name}'s version in {environment} ({deployment.commit}) cannot be read: {exc}")
        return None


def _short(commit: str) -> str:
    """A recorded commit as tables show it: 12 digits, keeping the mark of uncommitted changes."""
    sha, dirty, _ = commit.partition("-dirty")
    return sha[:12] + dirty


def matrix(repository: Path, contracts: str, pacticipant: str | None = None) -> list[Row]:
    """Every recorded verification (optionally of one pacticipant), marking those that match the working tree."""
    pacts_dir = repository / contracts / "pacts"
    current = Snapshot(repository, contracts, None)
    current_pacts = {(p.consumer, p.provider): p.fingerprint for p in current.pacts()}
    fingerprints: dict[str, str | None] = {}
    rows = []
    for record in load_verifications(pacts_dir):
        if pacticipant and pacticipant not in (record.consumer, record.provider):
            continue
        if record.provider not in fingerprints:
            fingerprints[record.provider] = current.contract_fingerprint(record.provider)
        is_current = (
            current_pacts.get((record.consumer, record.provider)) == record.consumerVersion.fingerprint
            and fingerprints[record.provider] == record.providerVersion.fingerprint
        )
        provider_version = _short(record.providerVersion.commit)
        if record.providerVersion.contractVersion:
            provider_version = f"{record.providerVersion.contractVersion} ({provider_version})"
        rows.append(
            Row(
                record.consumer,
                _short(record.consumerVersion.commit),
                record.provider,
                provider_version,
                record.success,
                "current" if is_current else "earlier content",
                record.verifiedAt,
            )
        )
    return rows
