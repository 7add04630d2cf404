"""The Schemathesis configuration a ``verify`` run uses: everything on, auth through the contract."""

from __future__ import annotations

from typing import Any

from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.config._checks import MISSING_REQUIRED_HEADER_EXPECTED_STATUSES

from contractkit.verify.options import ALL_PHASES, VerifyOptions
from contractkit.verify.tuning import precondition_required, semantic_rejections

# Security schemes whose credential is a bearer token; Schemathesis puts it in `Authorization: Bearer`.
_BEARER_TYPES = frozenset({"oauth2", "openIdConnect"})


def schemathesis_config(document: dict[str, Any], options: VerifyOptions) -> dict[str, Any]:
    """The config (the shape of ``schemathesis.toml``) for verifying ``document`` as ``options`` say.

    All 14 checks and the chosen phases are enabled explicitly so no ``schemathesis.toml`` lying
    around can switch them off; the missing-auth warning fails the run, so a wrong or absent
    token cannot pass as a green run that only ever saw 401s.
    """
    config: dict[str, Any] = {
        "base-url": options.base_url,
        "workers": options.workers,
        "checks": {"enabled": True},
        "phases": {phase: {"enabled": phase in options.phases} for phase in ALL_PHASES},
        "warnings": {"fail-on": ["missing_auth"]},
        # Verification is a gate: a run must not depend on examples stored by earlier runs. No generated
        # string holds U+0000: the guidelines' storable-text rule (DSL-308) has every service refuse it
        # whatever the schema says, so a refusal must not count as rejecting valid data.
        "generation": {"database": "none", "allow-x00": False},
        # No crash cache in the working directory; failures are reported, not replayed next time.
        "cache": {"enabled": False},
    }
    if options.seed is not None:
        config["seed"] = options.seed
    if options.max_examples is not None:
        config["generation"]["max-examples"] = options.max_examples
    if options.junit_xml is not None:
        config["reports"] = {"junit": {"enabled": True, "path": str(options.junit_xml)}}
    if options.token is not None:
        schemes = bearer_schemes(document)
        if schemes:
            config["auth"] = {"openapi": {name: {"bearer": options.token} for name in schemes}}
    checks_by_operation: dict[str, dict[str, Any]] = {}
    for label, statuses in semantic_rejections(document).items():
        checks_by_operation.setdefault(label, {})["positive_data_acceptance"] = {
            "expected-statuses": accepted_statuses(statuses)
        }
    for label in precondition_required(document):
        defaults = list(MISSING_REQUIRED_HEADER_EXPECTED_STATUSES)
        checks_by_operation.setdefault(label, {})["missing_required_header"] = {"expected-statuses": [*defaults, "428"]}
    if checks_by_operation:
        config["operations"] = [
            {"include-name": label, "checks": checks} for label, checks in sorted(checks_by_operation.items())
        ]
    return config


def bearer_schemes(document: dict[str, Any]) -> list[str]:
    """Names of the contract's security schemes that take a bearer token (http bearer, OAuth2, OIDC)."""
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        return []
    return [
        name
        for name, scheme in schemes.items()
        if isinstance(scheme, dict)
        and (
            scheme.get("type") in _BEARER_TYPES
            or (scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer")
        )
    ]


def accepted_statuses(extra: list[str]) -> list[str]:
    """Schemathesis's default accepted statuses for valid data, plus ``extra``.

    Setting ``expected-statuses`` replaces the defaults, so they are repeated here.
    """
    defaults = list(PositiveDataAcceptanceConfig().expected_statuses)
    return defaults + [status for status in extra if status not in defaults]
