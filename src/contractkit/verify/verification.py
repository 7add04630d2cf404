"""Verify that a running implementation honours its contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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


def verify(contract: Path | str, options: VerifyOptions, echo: Callable[[str], None] = print) -> VerifyResult:
    """Run Schemathesis (all checks, the chosen phases) against ``options.base_url``.

    The contract is bundled first, so it may spread over several files. Schemathesis prints its
    progress and summary as ``schemathesis run`` does; ``echo`` gets the lines that say how
    this run was set up. A JUnit report is written if asked for. Raises
    :class:`~contractkit.bundle.BundleError` or :class:`~contractkit.loading.LoadError` when the
    contract cannot be loaded.
    """
    document = bundle(contract)
    schemes = bearer_schemes(document) if options.token is not None else []
    tuning = semantic_rejections(document)
    echo(f"Verifying {contract} against {options.base_url}")
    if options.token is not None and not schemes:
        echo("  token not used: the contract declares no bearer, OAuth2 or OpenID Connect security scheme")
    for name in schemes:
        echo(f"  token sent through security scheme {name!r}")
    for label, statuses in tuning.items():
        echo(f"  {label}: positive_data_acceptance also accepts {', '.join(statuses)} ({SEMANTIC_REJECTION})")
    exit_code = run_schemathesis(document, schemathesis_config(document, options), location=str(contract))
    return VerifyResult(exit_code=exit_code, semantic_rejections=tuning, auth_schemes=schemes)
