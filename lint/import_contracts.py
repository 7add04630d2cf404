"""An import-linter contract whose protected packages are the services the registry lists.

`protected` contracts name the packages only some modules may import; this one reads those packages
from `dataservices.registry` when `lint-imports` runs, so a new service is protected the moment it is
registered, with no second list to keep in step.
"""

from __future__ import annotations

import importlib
from typing import Any

from grimp import ImportGraph
from importlinter import ContractCheck, fields
from importlinter.contracts.protected import ProtectedContract
from importlinter.domain.imports import ModuleExpression


class RegisteredServicesContract(ProtectedContract):
    """Only `allowed_importers` import a registered service's package (so services never import each other)."""

    type_name = "registered_services"

    # `module:attribute` of the registry: an iterable of specs whose settings class lives in the service's package.
    registry = fields.StringField()
    protected_modules = fields.ListField(subfield=fields.ModuleExpressionField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        module, _, attribute = str(self.registry).partition(":")
        services: Any = getattr(importlib.import_module(module), attribute)
        packages = sorted({spec.settings.__module__.rpartition(".")[0] for spec in services})
        missing = [package for package in packages if package not in graph.modules]
        if not packages or missing:
            raise ValueError(f"{self.registry}: no registered service, or packages outside the graph: {missing}")
        # Fields are descriptors on the class and plain values on the instance, as import-linter sets them.
        self.protected_modules = [ModuleExpression(package) for package in packages]  # type: ignore[assignment]
        return super().check(graph, verbose)
