"""contractkit: load, validate, bundle and verify the data services' OpenAPI contracts.

Names are imported on first use, so ``import contractkit.bundle`` (which services do at
start-up) never pays for openapi-spec-validator or Schemathesis. The ``bundle()`` and
``verify()`` functions live in the subpackages of the same name (``contractkit.bundle.bundle``,
``contractkit.verify.verification``): exporting them here would make ``contractkit.bundle`` mean a
function or a package depending on what happened to be imported first.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contractkit.bundle import BundleError, bundle_workspace, dump_json, dump_yaml
    from contractkit.discovery import find_contracts
    from contractkit.loading import (
        Document,
        LoadError,
        ParseFailure,
        Position,
        RefError,
        RefSite,
        Resolved,
        UnreadableFile,
        Workspace,
        load_document,
    )
    from contractkit.problems import Problem
    from contractkit.validate import validate_contract, validate_workspace
    from contractkit.verify import VerifyOptions, VerifyResult

_EXPORTS = {
    "BundleError": "contractkit.bundle",
    "bundle_workspace": "contractkit.bundle",
    "dump_json": "contractkit.bundle",
    "dump_yaml": "contractkit.bundle",
    "find_contracts": "contractkit.discovery",
    "Document": "contractkit.loading",
    "LoadError": "contractkit.loading",
    "ParseFailure": "contractkit.loading",
    "Position": "contractkit.loading",
    "RefError": "contractkit.loading",
    "RefSite": "contractkit.loading",
    "Resolved": "contractkit.loading",
    "UnreadableFile": "contractkit.loading",
    "Workspace": "contractkit.loading",
    "load_document": "contractkit.loading",
    "Problem": "contractkit.problems",
    "validate_contract": "contractkit.validate",
    "validate_workspace": "contractkit.validate",
    "VerifyOptions": "contractkit.verify",
    "VerifyResult": "contractkit.verify",
}
# Subpackages reachable as attributes without an explicit import (not in __all__: star-imports stay cheap).
_SUBPACKAGES = frozenset({"bundle", "cli", "loading", "validate", "verify"})

__all__ = [
    "BundleError",
    "Document",
    "LoadError",
    "ParseFailure",
    "Position",
    "Problem",
    "RefError",
    "RefSite",
    "Resolved",
    "UnreadableFile",
    "VerifyOptions",
    "VerifyResult",
    "Workspace",
    "bundle_workspace",
    "dump_json",
    "dump_yaml",
    "find_contracts",
    "load_document",
    "validate_contract",
    "validate_workspace",
]


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return import_module(f"contractkit.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'contractkit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
