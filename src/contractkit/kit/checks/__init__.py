"""The generic promises, registered by importing each module of checks."""

from contractkit.kit.checks import auth, http, idempotency, input, states
from contractkit.kit.checks.registry import GENERIC

__all__ = ["GENERIC", "auth", "http", "idempotency", "input", "states"]
