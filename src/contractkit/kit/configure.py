"""Turn the values a user gives (options, environment) into the kit's credentials and options."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contractkit.kit.credentials import Credentials, FixedToken, SigningKey, TokenCommand
from contractkit.kit.expected import ExpectedFailuresError, load_expected_failures
from contractkit.kit.options import KitOptions
from contractkit.kit.runner import promises_for, selected_ids
from contractkit.operations import OperationIndex


class KitSetupError(ValueError):
    """The given values cannot configure a kit run; the message says which and why."""


def kit_credentials(
    *,
    jwt_secret: str | None = None,
    jwt_private_key: Path | None = None,
    jwt_algorithm: str | None = None,
    jwt_key_id: str | None = None,
    jwt_issuer: str | None = None,
    jwt_audience: str | None = None,
    token_command: str | None = None,
    token: str | None = None,
) -> Credentials | None:
    """The most capable source the values allow: a signing key, then a token command, then one token."""
    if jwt_secret is not None and jwt_private_key is not None:
        raise KitSetupError("give --jwt-secret or --jwt-private-key, not both")
    if jwt_secret is not None or jwt_private_key is not None:
        if not jwt_issuer or not jwt_audience:
            raise KitSetupError("minting tokens needs --jwt-issuer and --jwt-audience as the implementation expects")
        if jwt_private_key is not None:
            try:
                key = jwt_private_key.read_text(encoding="utf-8")
            except OSError as exc:
                raise KitSetupError(f"cannot read the private key {jwt_private_key}: {exc.strerror}") from None
            algorithm = jwt_algorithm or "RS256"
        else:
            key, algorithm = str(jwt_secret), jwt_algorithm or "HS256"
        return SigningKey(algorithm=algorithm, key=key, issuer=jwt_issuer, audience=jwt_audience, key_id=jwt_key_id)
    if token_command:
        return TokenCommand(token_command)
    if token:
        return FixedToken(token)
    return None


def kit_options(
    document: dict[str, Any],
    *,
    base_url: str,
    burst: int,
    timeout: float,
    promises: Sequence[str] = (),
    expected_failures: Path | None = None,
    seed: int | None = None,
) -> KitOptions:
    """Options of a run, with promise ids and declared failures checked against the contract's kit."""
    known = {promise.id for promise in promises_for(OperationIndex(document).service)}
    only = selected_ids(promises)
    unknown = sorted(only - known)
    if unknown:
        raise KitSetupError(f"unknown promise ids for this contract: {', '.join(unknown)}")
    declared: dict[str, str] = {}
    if expected_failures is not None:
        try:
            declared = load_expected_failures(expected_failures, known)
        except ExpectedFailuresError as exc:
            raise KitSetupError(str(exc)) from None
    return KitOptions(
        base_url=base_url, timeout_seconds=timeout, burst=burst, only=only, expected_failures=declared, seed=seed
    )
