"""Verify that a running implementation honours its contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractkit.bundle import bundle
from contractkit.verify.config import bearer_schemes, schemathesis_config
from contractkit.verify.options import VerifyOptions
from contractkit.verify.runner import run_schemathesis
from contractkit.verify.tuning import SEMANTIC_REJECTION, semantic_rejections


@dataclass(frozen=True)
class VerifyResult:
    """How a verification ended, and what the contract tuned."""

    exit_code: int
    # Operation label -> statuses `positive_data_acceptance` also accepted (from `x-semantic-rejection`).
    semantic_rejections: dict[str, list[str]] = field(default_factory=dict)
    # Security schemes the token was given to.
    auth_schemes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


@dataclass(frozen=True)
class PreparedRun:
    """Everything a run needs before Schemathesis starts: the bundled contract and its configuration."""

    document: dict[str, Any]
    config: dict[str, Any]
    auth_schemes: list[str]
    semantic_rejections: dict[str, list[str]]


def prepare(contract: Path | str, options: VerifyOptions) -> PreparedRun:
    """Load and bundle ``contract`` under ``options.policy`` and build the Schemathesis configuration.

    Nothing is sent anywhere. Raises :class:`~contractkit.bundle.BundleError` or
    :class:`~contractkit.loading.LoadError` when the contract cannot be loaded.
    """
    document = bundle(contract, options.policy)
    schemes = bearer_schemes(document) if options.token is not None else []
    return PreparedRun(document, schemathesis_config(document, options), schemes, semantic_rejections(document))


def verify(contract: Path | str, options: VerifyOptions, echo: Callable[[str], None] = print) -> VerifyResult:
    """Run Schemathesis (all checks, the chosen phases) against ``options.base_url``.

    The contract is bundled first (:func:`prepare`), so it may spread over several files.
    Schemathesis prints its progress and summary as ``schemathesis run`` does; ``echo`` gets the
    lines that say how this run was set up. A JUnit report is written if asked for. Raises
    :class:`~contractkit.bundle.BundleError` or :class:`~contractkit.loading.LoadError` when the
    contract cannot be loaded.
    """
    run = prepare(contract, options)
    echo(f"Verifying {contract} against {options.base_url}")
    if options.token is not None and not run.auth_schemes:
        echo("  token not used: the contract declares no bearer, OAuth2 or OpenID Connect security scheme")
    for name in run.auth_schemes:
        echo(f"  token sent through security scheme {name!r}")
    for label, statuses in run.semantic_rejections.items():
        echo(f"  {label}: positive_data_acceptance also accepts {', '.join(statuses)} ({SEMANTIC_REJECTION})")
    exit_code = run_schemathesis(run.document, run.config, location=str(contract))
    return VerifyResult(exit_code=exit_code, semantic_rejections=run.semantic_rejections, auth_schemes=run.auth_schemes)
