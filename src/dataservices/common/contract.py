"""The service's contract at run time: the bundled document and an index of its operations.

The contract is the single source of truth: request validation, the scope each route requires and
the `/openapi.yaml` document all come from it, so the implementation cannot drift from what it
publishes. The index itself is contractkit's, the same one the conformance kit reads.
"""

from __future__ import annotations

from pathlib import Path

from contractkit.operations import HTTP_METHODS, Operation, OperationIndex, Parameter

_PACKAGE = Path(__file__).resolve().parents[1]
# An installed wheel carries the contracts inside the package (`force-include` in pyproject.toml); a
# source checkout, editable installs included, has them at its root.
_PACKAGED_CONTRACTS = _PACKAGE / "_contracts"
_REPOSITORY_CONTRACTS = _PACKAGE.parents[1] / "contracts"

Contract = OperationIndex

__all__ = [
    "HTTP_METHODS",
    "Contract",
    "Operation",
    "Parameter",
    "contract_path",
    "default_contracts_dir",
    "load_contract",
]


def default_contracts_dir() -> Path:
    """The contracts the package ships: inside the installed package, else the checkout's `contracts/`."""
    return _PACKAGED_CONTRACTS if _PACKAGED_CONTRACTS.is_dir() else _REPOSITORY_CONTRACTS


def contract_path(service: str, contracts_dir: Path | None = None) -> Path:
    """Where a service's contract lives: the configured folder, else the contracts the package ships."""
    return (contracts_dir or default_contracts_dir()) / service / "openapi.yaml"


def load_contract(service: str, contracts_dir: Path | None = None) -> tuple[Contract, str]:
    """Bundle the service's contract into one document; return it indexed and as YAML text.

    The contracts folder is the root its files may come from: a deployment that copies `contracts/`
    without the repository around it still finds `shared/`.
    """
    from contractkit.bundle import bundle, dump_yaml
    from contractkit.loading import LoadPolicy

    folder = contracts_dir or default_contracts_dir()
    document = bundle(contract_path(service, folder), LoadPolicy(root=folder))
    return Contract(document), dump_yaml(document)
