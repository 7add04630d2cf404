"""Every registered service honours its contract, served over HTTP, on SQLite and on PostgreSQL.

This is `contractkit verify` (Schemathesis: every check, every phase, the stateful one through the
contract's links) run through its Python API against each service of the registry as the harness serves
it, with the contract the registry names and a token for every scope the service declares. A service
added to the registry is verified here with no test of its own; deeper, service-specific runs (more
examples in-process, the behavioural kit) live beside this one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from contractkit.verify import ALL_PHASES, VerifyOptions, verify
from dataservices.common.service_spec import ServiceSpec
from dataservices.registry import SERVICES
from tests.fixtures.services import ServiceDatabase, running_service

SEED = 20261208
# Every operation's examples and boundaries, and a few generated requests each: the engine is what
# varies here, so the run stays short (the in-process coupon suite and `make fuzz` go further).
MAX_EXAMPLES = 10


@pytest.mark.slow
@pytest.mark.parametrize("spec", list(SERVICES), ids=lambda spec: spec.name)
def test_the_service_honours_its_contract(
    spec: ServiceSpec[Any], service_database: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database: ServiceDatabase = service_database(spec.name)
    junit = tmp_path / f"{spec.name}-{database.engine}.xml"
    with running_service(spec, database) as service:
        options = VerifyOptions(
            base_url=service.url,
            token=service.token(subject="conformance"),
            junit_xml=junit,
            max_examples=MAX_EXAMPLES,
            seed=SEED,
            phases=ALL_PHASES,
        )
        result = verify(spec.contract_path(), options, echo=lambda _: None)
    failures = [f"{case.get('name')}: {failure.get('message')}" for case in _cases(junit) for failure in case]
    assert result.exit_code == 0, (failures, capsys.readouterr().out[-4000:])
    assert not failures
    assert len(list(_cases(junit))) > 0


def _cases(junit: Path) -> list[ElementTree.Element]:
    return list(ElementTree.parse(junit).getroot().iter("testcase"))
