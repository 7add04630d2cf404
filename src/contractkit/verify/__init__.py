"""Verify running implementations against their contracts with Schemathesis (every check, every phase).

Schemathesis takes a third of a second to import, so the names that need it load on first use: the
command line stays fast for the commands that never verify.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from contractkit.verify.options import ALL_PHASES, VerifyOptions
from contractkit.verify.tuning import SEMANTIC_REJECTION, semantic_rejections

if TYPE_CHECKING:
    from contractkit.verify.config import accepted_statuses, bearer_schemes, schemathesis_config
    from contractkit.verify.toml_config import schemathesis_toml
    from contractkit.verify.verification import PreparedRun, VerifyResult, prepare, verify

_LAZY = {
    "accepted_statuses": "contractkit.verify.config",
    "bearer_schemes": "contractkit.verify.config",
    "schemathesis_config": "contractkit.verify.config",
    "schemathesis_toml": "contractkit.verify.toml_config",
    "PreparedRun": "contractkit.verify.verification",
    "VerifyResult": "contractkit.verify.verification",
    "prepare": "contractkit.verify.verification",
    "verify": "contractkit.verify.verification",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALL_PHASES",
    "SEMANTIC_REJECTION",
    "PreparedRun",
    "VerifyOptions",
    "VerifyResult",
    "accepted_statuses",
    "bearer_schemes",
    "prepare",
    "schemathesis_config",
    "schemathesis_toml",
    "semantic_rejections",
    "verify",
]
