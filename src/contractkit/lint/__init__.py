"""The API guideline as code: rules with permanent ids, their checks, waivers and reporters.

Layers, from the bottom: ``registry`` (rules and ids; no OpenAPI knowledge), ``model``/``index``/
``context`` (one walk over a contract into views checks read), ``rules/`` (one module per rule),
``engine`` (run checks, locate findings), ``waivers``, ``reporters/``, ``run`` (what the CLI calls).
Only ``contractkit.cli`` ends the process.

How to add a rule:

1. Take the next free number of its group: ``python -m contractkit.lint.registry next 3xx``.
   Numbers are permanent; a removed rule's id goes into ``RETIRED_IDS`` and is never reused.
2. Write ``rules/dslNNN_<slug_with_underscores>.py`` with a frozen ``RULE = Rule(...)``: id, kebab-case
   slug, level (MUST → error, SHOULD → warning), a one-line statement, the rationale, a good and a
   bad YAML example. Add ``check(ctx) -> Iterator[Finding]`` that yields ``Finding.at(RULE, node,
   message)`` for each node that breaks the rule; read ``ctx.operations`` and ``ctx.index`` (every
   schema, property, parameter, header, media type and ``$ref`` once, each tied to the file that
   really holds it) rather than walking the document again. A rule no machine can judge is
   ``review_only=True`` and has no ``check``.
3. List the module once in ``rules/__init__.py``.
4. Add ``tests/contractkit/lint/fixtures/DSL-NNN/good.yaml`` (no finding of the rule) and ``bad.yaml``
   with ``# expect: DSL-NNN`` at the end of each line that must be reported. The parametrised test
   fails until both exist. The docs site renders the rule's page from the registry.
5. Run ``contractkit lint contracts/``; fix the contracts, or add a waiver with a reason, owner and expiry.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contractkit.lint.engine import LintReport, lint_contracts, lint_workspace
    from contractkit.lint.finding import Finding, Result
    from contractkit.lint.registry import Rule, Severity, all_rules
    from contractkit.lint.run import LintOutcome, LintRequest, lint

# Imported on first use, so `python -m contractkit.lint.registry` does not import the registry twice.
_EXPORTS = {
    "Finding": "contractkit.lint.finding",
    "LintOutcome": "contractkit.lint.run",
    "LintReport": "contractkit.lint.engine",
    "LintRequest": "contractkit.lint.run",
    "Result": "contractkit.lint.finding",
    "Rule": "contractkit.lint.registry",
    "Severity": "contractkit.lint.registry",
    "all_rules": "contractkit.lint.registry",
    "lint": "contractkit.lint.run",
    "lint_contracts": "contractkit.lint.engine",
    "lint_workspace": "contractkit.lint.engine",
}

__all__ = [
    "Finding",
    "LintOutcome",
    "LintReport",
    "LintRequest",
    "Result",
    "Rule",
    "Severity",
    "all_rules",
    "lint",
    "lint_contracts",
    "lint_workspace",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'contractkit.lint' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
