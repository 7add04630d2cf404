"""A service's description refuses what would break the platform, and the registry refuses clashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData

from dataservices.common.service_spec import ServiceRegistry, ServiceSpec
from dataservices.common.settings import AuthSettings, ServiceSettings


class AlphaSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DATASERVICES_ALPHA_", extra="ignore")
    port: int = 18101


class BetaSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DATASERVICES_BETA_", extra="ignore")
    port: int = 18102
    alpha_base_url: str = ""


class GammaSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DATASERVICES_GAMMA_", extra="ignore")
    port: int = 18103
    beta_base_url: str = ""
    alpha_base_url: str = ""


def _app(settings: Any, auth: AuthSettings) -> FastAPI:
    return FastAPI()


def spec(name: str, settings: type[ServiceSettings], calls: tuple[str, ...] = (), **changes: Any) -> ServiceSpec[Any]:
    values: dict[str, Any] = {
        "name": name,
        "title": f"{name.title()} service",
        "settings": settings,
        "create_app": _app,
        "metadata": MetaData(),
        "versions": Path("versions"),
        "scopes": (f"{name}:read",),
        "calls": calls,
    }
    return ServiceSpec(**{**values, **changes})


def test_a_spec_derives_its_prefix_port_and_default_database() -> None:
    alpha = spec("alpha", AlphaSettings)
    assert alpha.env_prefix == "DATASERVICES_ALPHA_"
    assert alpha.default_port == 18101
    assert alpha.default_database_url == "sqlite:///var/alpha.db"
    assert alpha.database_url(AlphaSettings()) == "sqlite:///var/alpha.db"
    assert alpha.database_url(AlphaSettings(database_url="postgresql://h/alpha")) == "postgresql://h/alpha"
    assert alpha.contract_path(Path("/c")) == Path("/c/alpha/openapi.yaml")


@pytest.mark.parametrize("name", ["all", "Alpha", "a", "al-pha", "alpha_x", "9alpha", ""])
def test_a_name_must_serve_as_database_prefix_and_path(name: str) -> None:
    with pytest.raises(ValueError, match="service name"):
        spec(name, AlphaSettings)


def test_the_settings_must_read_the_services_own_prefix() -> None:
    with pytest.raises(ValueError, match="DATASERVICES_BETA_"):
        spec("beta", AlphaSettings)


def test_a_service_that_calls_another_needs_a_setting_for_its_url() -> None:
    with pytest.raises(ValueError, match="AlphaSettings needs `beta_base_url`"):
        spec("alpha", AlphaSettings, calls=("beta",))


def test_a_service_names_its_scopes() -> None:
    with pytest.raises(ValueError, match="scope"):
        spec("alpha", AlphaSettings, scopes=())


def test_the_registry_starts_a_service_after_those_it_calls() -> None:
    alpha, beta = spec("alpha", AlphaSettings), spec("beta", BetaSettings, calls=("alpha",))
    gamma = spec("gamma", GammaSettings, calls=("beta", "alpha"))
    registry = ServiceRegistry([gamma, beta, alpha])
    assert registry.names == ("alpha", "beta", "gamma")
    assert [s.name for s in registry.select("all")] == ["alpha", "beta", "gamma"]
    assert registry.select("beta") == (beta,)
    assert [s.name for s in registry.with_callees(["beta"])] == ["alpha", "beta"]
    assert len(registry) == 3


def test_the_registry_refuses_twins_clashing_ports_unknown_callees_and_cycles() -> None:
    alpha = spec("alpha", AlphaSettings)
    with pytest.raises(ValueError, match="registered twice"):
        ServiceRegistry([alpha, alpha])

    class BetaOnAlphasPort(BetaSettings):
        port: int = 18101

    with pytest.raises(ValueError, match="beta and alpha both default to port 18101"):
        ServiceRegistry([alpha, spec("beta", BetaOnAlphasPort)])
    with pytest.raises(ValueError, match="unregistered services: alpha"):
        ServiceRegistry([spec("beta", BetaSettings, calls=("alpha",))])

    class CyclicAlpha(AlphaSettings):
        gamma_base_url: str = ""

    cyclic = spec("alpha", CyclicAlpha, calls=("gamma",))
    gamma = spec("gamma", GammaSettings, calls=("alpha",))
    with pytest.raises(ValueError, match="cycle: alpha -> gamma -> alpha"):
        ServiceRegistry([cyclic, gamma])


def test_an_unknown_name_lists_the_registered_ones() -> None:
    registry = ServiceRegistry([spec("alpha", AlphaSettings), spec("beta", BetaSettings)])
    with pytest.raises(LookupError, match="no service 'omega'; registered: alpha, beta"):
        registry.get("omega")
