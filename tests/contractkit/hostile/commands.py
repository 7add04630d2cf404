"""Every contractkit command that loads contracts, run in-process on one contract, with all it printed.

``verify`` sends requests once its contract is loaded, so for it :func:`run` runs its loading step
(:func:`contractkit.verify.prepare`: load, bundle, configure) and, only when that step refuses the
contract, the command itself, which then stops before Schemathesis starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from contractkit.bundle import BundleError
from contractkit.cli import app
from contractkit.loading import LoadError, LoadPolicy, limits_from_environment
from contractkit.verify import VerifyOptions, prepare

COMMANDS = ("validate", "lint", "bundle", "diff", "verify")
# Nothing listens there: verify never gets as far as sending anything in these tests.
UNUSED_URL = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Outcome:
    """How one command ended: exit code, everything it printed, and an exception it let escape."""

    command: str
    exit_code: int
    output: str
    escaped: BaseException | None = None


def run(command: str, contract: Path, base: Path, env: Mapping[str, str] | None = None) -> Outcome:
    """Run ``command`` on ``contract`` (``diff`` compares ``base`` with it) with ``env`` set."""
    env = dict(env or {})
    if command == "verify":
        return _verify(contract, env)
    args = {
        "validate": ["validate", str(contract)],
        "lint": ["lint", str(contract)],
        "bundle": ["bundle", str(contract)],
        "diff": ["diff", str(base), str(contract), "--fail-on", "warning", "--pacts", str(contract.parent / "pacts")],
    }[command]
    return _invoke(command, args, env)


def _invoke(command: str, args: list[str], env: Mapping[str, str]) -> Outcome:
    result = CliRunner().invoke(app, args, env=env)
    escaped = None if result.exception is None or isinstance(result.exception, SystemExit) else result.exception
    return Outcome(command, result.exit_code, result.stdout + result.stderr, escaped)


def _verify(contract: Path, env: Mapping[str, str]) -> Outcome:
    merged = {**os.environ, **env}
    options = VerifyOptions(base_url=UNUSED_URL, token="t", policy=LoadPolicy(limits=limits_from_environment(merged)))
    try:
        prepare(contract, options)
    except (LoadError, BundleError):
        # The command refuses the contract in the same step, before anything is sent.
        return _invoke("verify", ["verify", str(contract), "--base-url", UNUSED_URL, "--token", "t"], env)
    except Exception as exc:  # reported by the caller as an escaped exception
        return Outcome("verify", 2, "", exc)
    return Outcome("verify", 0, "")
