"""`dataservices`: the commands take their service names, scopes and settings from the registry."""

from __future__ import annotations

import jwt
from typer.testing import CliRunner, Result

from dataservices.cli import app
from dataservices.common.settings import AuthSettings
from dataservices.registry import SERVICES


def _cli(*arguments: str) -> Result:
    return CliRunner().invoke(app, list(arguments))


def test_services_lists_every_registered_service_with_its_port_and_scopes() -> None:
    result = _cli("services")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(SERVICES.names)
    for spec, line in zip(SERVICES, lines, strict=True):
        assert f"port {spec.default_port}" in line
        assert " ".join(spec.scopes) in line


def test_a_token_for_a_service_carries_every_scope_it_declares() -> None:
    result = _cli("token", "--service", "all", "--scope", "extra:scope")
    assert result.exit_code == 0
    settings = AuthSettings()
    claims = jwt.decode(result.stdout.strip(), settings.hs256_secret, ["HS256"], audience=settings.audience)
    granted = claims["scope"].split()
    assert granted[0] == "extra:scope"
    assert set(granted) == {"extra:scope", *(scope for spec in SERVICES for scope in spec.scopes)}


def test_a_token_needs_a_scope_or_a_service() -> None:
    result = _cli("token")
    assert result.exit_code == 2
    assert "name a scope" in result.stderr


def test_all_services_cannot_share_one_port() -> None:
    result = _cli("serve", "all", "--port", "9999")
    assert result.exit_code == 2
    assert "DATASERVICES_<NAME>_PORT" in result.stderr


def test_an_unknown_service_is_refused_with_the_registered_names() -> None:
    result = _cli("migrate", "nosuch")
    assert result.exit_code == 2
    assert f"registered: {', '.join(SERVICES.names)}" in result.stderr
