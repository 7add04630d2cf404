"""A `schemathesis.toml` that holds plain `st run` to what `contractkit verify` checks.

It is the configuration `verify` hands Schemathesis (`config.schemathesis_config`), written in
Schemathesis' own file format: every check, the chosen phases, the missing-auth warning failing the
run, and only the relaxations the contract itself documents (`x-semantic-rejection`, a documented 428).
A token is never written: the file names an environment variable that Schemathesis reads at run time
(`${NAME}`), so the file can be committed and shared.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import tomli_w

from contractkit.verify.config import schemathesis_config
from contractkit.verify.options import VerifyOptions
from contractkit.verify.tuning import SEMANTIC_REJECTION, precondition_required, semantic_rejections

# The variable the written file reads the bearer token from, unless the caller names another.
TOKEN_VARIABLE = "CONTRACTKIT_TOKEN"


def schemathesis_toml(document: dict[str, Any], contract: str, options: VerifyOptions, token_variable: str) -> str:
    """The text of a `schemathesis.toml` for verifying `document` (found at `contract`) as `options` say.

    `options.token` is ignored: the token is read from the environment variable `token_variable`.
    An empty `options.base_url` leaves the base URL to `st run --url`.
    """
    placeholder = "${" + token_variable + "}"
    config = schemathesis_config(document, dataclasses.replace(options, token=placeholder))
    if not options.base_url:
        config.pop("base-url", None)
    return _header(document, contract, options, token_variable, "auth" in config) + tomli_w.dumps(config)


def _header(
    document: dict[str, Any], contract: str, options: VerifyOptions, token_variable: str, has_auth: bool
) -> str:
    lines = [
        f"Schemathesis configuration for {contract}, written by `contractkit verify --write-config`.",
        "It holds `st run` to what `contractkit verify` checks: every check, in the phases",
        f"{', '.join(options.phases)}; a run fails when authentication keeps failing. Relaxed is only",
        "what the contract itself documents:",
    ]
    relaxed = [
        f"  {label}: positive_data_acceptance also accepts {', '.join(statuses)} ({SEMANTIC_REJECTION})"
        for label, statuses in semantic_rejections(document).items()
    ]
    relaxed += [
        f"  {label}: missing_required_header also accepts 428 (documented; RFC 6585)"
        for label in precondition_required(document)
    ]
    lines += sorted(relaxed) or ["  (none)"]
    url = "" if options.base_url else " --url BASE_URL"
    run = f"st --config-file THIS_FILE run {contract}{url}"
    if has_auth:
        lines += [
            f"The bearer token is read from ${token_variable} when Schemathesis starts; it is never stored here:",
            f"  {token_variable}=<token> {run}",
        ]
    else:
        lines += ["Run it with:", f"  {run}"]
    lines.append("Write it again whenever the contract changes.")
    return "".join(f"# {line}\n" for line in lines) + "\n"
