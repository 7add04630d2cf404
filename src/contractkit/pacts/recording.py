"""Recording a provider's verification of a pact, from the working tree it ran against.

Provider tests in any language call ``contractkit pacts record-verification`` after replaying a pact
(this project's Python tests call :func:`record` directly). The versions are taken from the working
tree: the content fingerprints decide which later versions the result counts for, and the commit says
where it was run, marked ``-dirty`` when the files involved differ from that commit.
"""

from __future__ import annotations

from pathlib import Path

from contractkit.pacts.records import Side, Verification, now, record_verification
from contractkit.pacts.snapshot import Snapshot, VersionError, git, service_of


def _commit(repository: Path, paths: list[str]) -> str:
    try:
        head = git(["rev-parse", "HEAD"], repository).strip()
    except VersionError:
        return "unknown"
    changed = git(["status", "--porcelain", "--", *paths], repository).strip()
    return f"{head}-dirty" if changed else head


def verification_of(repository: Path, contracts: str, consumer: str, provider: str, success: bool) -> Verification:
    """The record of verifying ``consumer``'s pact with ``provider`` against the working tree."""
    tree = Snapshot(repository, contracts, None)
    pact = next((p for p in tree.pacts() if p.consumer == consumer and p.provider == provider), None)
    if pact is None:
        raise VersionError(f"no pact between {consumer} and {provider} in {contracts}/pacts")
    contract = tree.contract_fingerprint(provider)
    if contract is None:
        raise VersionError(f"{provider} has no contract in {contracts}/{service_of(provider)}")
    provider_paths = [f"{contracts}/{service_of(provider)}", f"{contracts}/shared"]
    return Verification(
        consumer=consumer,
        consumerVersion=Side(_commit(repository, [pact.path]), pact.fingerprint, tree.contract_version(consumer)),
        provider=provider,
        providerVersion=Side(_commit(repository, provider_paths), contract, tree.contract_version(provider)),
        success=success,
        interactions=pact.interactions,
        verifiedAt=now(),
    )


def record(repository: Path, contracts: str, consumer: str, provider: str, success: bool) -> bool:
    """Record the verification in ``<contracts>/pacts/verifications.yaml``; True when the file changed."""
    verification = verification_of(repository, contracts, consumer, provider, success)
    return record_verification(repository / contracts / "pacts", verification)
