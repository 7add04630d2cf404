"""Check contracts against the OpenAPI specification, with every problem tied to a file and line."""

from contractkit.validate.contract import validate_contract, validate_workspace

__all__ = ["validate_contract", "validate_workspace"]
