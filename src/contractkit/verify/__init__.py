"""Verify running implementations against their contracts with Schemathesis (every check, every phase)."""

from contractkit.verify.config import accepted_statuses, bearer_schemes, schemathesis_config
from contractkit.verify.options import ALL_PHASES, VerifyOptions
from contractkit.verify.tuning import SEMANTIC_REJECTION, semantic_rejections
from contractkit.verify.verify import VerifyResult, verify

__all__ = [
    "ALL_PHASES",
    "SEMANTIC_REJECTION",
    "VerifyOptions",
    "VerifyResult",
    "accepted_statuses",
    "bearer_schemes",
    "schemathesis_config",
    "semantic_rejections",
    "verify",
]
