"""The promises every contract gets, whatever its service: derived from what the contract declares."""

from __future__ import annotations

from contractkit.kit.promises import PromiseRegistry

GENERIC = PromiseRegistry()
