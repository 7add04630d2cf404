"""The Schemathesis configuration `verify` builds, checked by Schemathesis itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig, SchemathesisWarning

from contractkit.bundle import bundle
from contractkit.verify import ALL_PHASES, VerifyOptions, accepted_statuses, bearer_schemes, schemathesis_config

CONTRACT = Path(__file__).parents[1] / "fixtures" / "verify" / "contract" / "openapi.yaml"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return bundle(CONTRACT)


def _loaded(document: dict[str, Any], options: VerifyOptions) -> Any:
    config = SchemathesisConfig.from_dict(schemathesis_config(document, options))
    return schemathesis.openapi.from_dict(document, config=config)


def test_every_check_and_phase_is_on_and_missing_auth_fails(document: dict[str, Any]) -> None:
    schema = _loaded(document, VerifyOptions(base_url="http://127.0.0.1:1", token="t"))
    project = schema.config
    assert project.base_url == "http://127.0.0.1:1"
    for name in CHECKS:
        assert project.checks.get_by_name(name=name).enabled, name
    for phase in ALL_PHASES:
        assert project.phases.get_by_name(name=phase).enabled, phase
    assert SchemathesisWarning.MISSING_AUTH in project.warnings.fail_on


def test_token_goes_through_the_security_scheme(document: dict[str, Any]) -> None:
    config = schemathesis_config(document, VerifyOptions(base_url="http://x", token="s3cret"))
    assert config["auth"] == {"openapi": {"bearerAuth": {"bearer": "s3cret"}}}
    assert "headers" not in config
    assert "auth" not in schemathesis_config(document, VerifyOptions(base_url="http://x"))


def test_semantic_rejection_relaxes_only_its_own_operation(document: dict[str, Any]) -> None:
    schema = _loaded(document, VerifyOptions(base_url="http://x"))
    create = schema["/v1/widgets"]["POST"]
    read = schema["/v1/widgets/{widgetId}"]["GET"]
    config = schema.config
    assert config.checks_config_for(operation=create).positive_data_acceptance.expected_statuses == [
        *accepted_statuses([]),
        "422",
    ]
    assert "422" not in config.checks_config_for(operation=read).positive_data_acceptance.expected_statuses
    assert "422" not in config.checks_config_for(operation=None).positive_data_acceptance.expected_statuses


def test_phases_subset_seed_examples_and_report() -> None:
    options = VerifyOptions(
        base_url="http://x", phases=("fuzzing",), seed=7, max_examples=3, workers=2, junit_xml=Path("r.xml")
    )
    config = schemathesis_config({}, options)
    assert config["phases"] == {
        "examples": {"enabled": False},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    }
    assert (config["seed"], config["generation"]["max-examples"], config["workers"]) == (7, 3, 2)
    assert config["reports"] == {"junit": {"enabled": True, "path": "r.xml"}}


@pytest.mark.parametrize(
    ("scheme", "bearer"),
    [
        ({"type": "http", "scheme": "Bearer"}, True),
        ({"type": "oauth2", "flows": {}}, True),
        ({"type": "openIdConnect", "openIdConnectUrl": "https://x"}, True),
        ({"type": "http", "scheme": "basic"}, False),
        ({"type": "apiKey", "in": "header", "name": "X-Key"}, False),
    ],
)
def test_bearer_schemes(scheme: dict[str, Any], bearer: bool) -> None:
    document = {"components": {"securitySchemes": {"S": scheme}}}
    assert bearer_schemes(document) == (["S"] if bearer else [])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"phases": ("nope",)}, "phases must be"),
        ({"phases": ()}, "phases must be"),
        ({"workers": 0}, "workers must be"),
        ({"max_examples": 0}, "max_examples must be"),
    ],
)
def test_options_are_checked(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VerifyOptions(base_url="http://x", **kwargs)
