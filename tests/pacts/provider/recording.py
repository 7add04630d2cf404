"""Provider tests record each pact verification where `contractkit can-i-deploy` reads it."""

from __future__ import annotations

import json
from pathlib import Path

from pact import Verifier

from contractkit.pacts import record

REPOSITORY = Path(__file__).resolve().parents[3]


def verify_and_record(verifier: Verifier, pact: Path) -> None:
    """Replay the pact; record the outcome in contracts/pacts/verifications.yaml, then fail if it failed."""
    document = json.loads(pact.read_text(encoding="utf-8"))
    consumer, provider = document["consumer"]["name"], document["provider"]["name"]
    try:
        verifier.verify()
    except Exception:
        record(REPOSITORY, "contracts", consumer, provider, success=False)
        raise
    record(REPOSITORY, "contracts", consumer, provider, success=True)
