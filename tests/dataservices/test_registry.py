"""Each registered service agrees with its contract: scopes, name, demo requests, and how it is served."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from uvicorn.importer import import_from_string

from dataservices.common.contract import load_contract
from dataservices.common.service_spec import ServiceSpec
from dataservices.registry import SERVICES

SPECS = pytest.mark.parametrize("spec", list(SERVICES), ids=lambda spec: spec.name)


def test_there_is_a_service_and_names_are_unique() -> None:
    assert len(SERVICES) >= 1
    assert len(set(SERVICES.names)) == len(SERVICES)


@SPECS
def test_the_scopes_are_those_its_contract_requires(spec: ServiceSpec[Any]) -> None:
    contract, _ = load_contract(spec.name)
    assert set(spec.scopes) == set(contract.scopes)
    assert contract.service == f"{spec.name}-service"


@SPECS
def test_every_demo_request_is_an_operation_of_the_contract(spec: ServiceSpec[Any]) -> None:
    contract, _ = load_contract(spec.name)
    templates = {(op.method, re.sub(r"\{[^/]+\}", "[^/]+", op.path)) for op in contract.operations.values()}
    assert spec.demo is not None
    assert spec.demo.requests
    for request in spec.demo.requests:
        path = request.path.split("?")[0]
        assert any(method == request.method and re.fullmatch(t, path) for method, t in templates), request


@SPECS
def test_uvicorn_finds_the_app_factory_by_the_name_serve_gives_it(spec: ServiceSpec[Any]) -> None:
    factory = import_from_string(f"dataservices.registry:served_apps.{spec.name}")
    assert factory == spec.served_app


@SPECS
def test_the_tables_and_revisions_belong_to_the_services_own_package(spec: ServiceSpec[Any]) -> None:
    package = Path(str(sys.modules[spec.settings.__module__].__file__)).parent
    assert package.name == spec.name
    assert spec.metadata.tables
    assert spec.versions.is_relative_to(package)
    assert sorted(spec.versions.glob("*.py"))
