"""One typed description per data service, and the registry that lists them.

A `ServiceSpec` says everything the platform needs to run a service without knowing it: its name, its
settings class, how to build its app, its tables and migrations, its demo data, its scopes and where its
contract is. `dataservices.registry` lists one spec per service; the command line (serve, migrate, pg up),
the shared Alembic environment, `make run`, the docs site and the test harness read that list, so adding a
service is its own package plus one entry. This module knows no service: it is the shape, not the list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import FastAPI
from sqlalchemy import MetaData

from dataservices.common.contract import contract_path
from dataservices.common.observability import configure_logging
from dataservices.common.serving import settle_garbage_collector
from dataservices.common.settings import AuthSettings, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

# A name is a database name, an environment prefix and a URL path segment at once: keep it to all three.
_NAME = re.compile(r"[a-z][a-z0-9]{1,30}")
# `dataservices serve all` and `migrate all` mean every registered service.
RESERVED_NAMES = frozenset({"all"})


@dataclass(frozen=True, slots=True)
class DemoRequest:
    """A request against the demo data that `make run` prints as a ready-to-paste curl line."""

    method: str
    path: str
    body: Mapping[str, Any] | None = None
    # Sent as `Idempotency-Key`, for the operations whose contract requires one.
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Demo(Generic[S]):
    """The demo data of a service: how to load it (again without harm) and what to try against it."""

    load: Callable[[S], Coroutine[Any, Any, None]]
    requests: tuple[DemoRequest, ...]


@dataclass(frozen=True)
class ServiceSpec(Generic[S]):
    """Everything the platform needs to know about one data service."""

    name: str  # `coupon`: its database (`var/coupon.db`), its contract folder and its settings prefix
    title: str  # `Coupon service`: how the docs and the command line name it
    settings: type[S]  # reads `DATASERVICES_<NAME>_*`; its `port` default is the service's port
    create_app: Callable[[S, AuthSettings], FastAPI]  # the ASGI app on an already migrated database
    metadata: MetaData  # every table the service owns; its migrations must create exactly these
    versions: Path  # the folder of its Alembic revision scripts (the environment is shared)
    scopes: tuple[str, ...]  # every OAuth2 scope its contract names
    demo: Demo[S] | None = None
    # Registered services this one calls over HTTP; its settings have a `<name>_base_url` field for each,
    # which `serve all` and the test harness fill in.
    calls: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name) or self.name in RESERVED_NAMES:
            raise ValueError(f"service name {self.name!r}: lowercase letters and digits, 2 to 31, not 'all'")
        prefix = self.settings.model_config.get("env_prefix")
        if prefix != self.env_prefix:
            raise ValueError(f"{self.name}: {self.settings.__name__} reads {prefix!r}, expected {self.env_prefix!r}")
        for called in self.calls:
            if f"{called}_base_url" not in self.settings.model_fields:
                raise ValueError(f"{self.name} calls {called}: {self.settings.__name__} needs `{called}_base_url`")
        if not self.scopes:
            raise ValueError(f"{self.name}: a service's contract names at least one scope")

    @property
    def env_prefix(self) -> str:
        """The prefix of the service's environment variables, e.g. `DATASERVICES_COUPON_`."""
        return f"DATASERVICES_{self.name.upper()}_"

    @property
    def default_port(self) -> int:
        """The port the service listens on unless told otherwise (its settings class's default)."""
        port: int = self.settings.model_fields["port"].default
        return port

    @property
    def default_database_url(self) -> str:
        """The embedded default: one SQLite file per service under `./var/`."""
        return f"sqlite:///var/{self.name}.db"

    def database_url(self, settings: S) -> str:
        """The primary's URL: the configured one, else the embedded default."""
        return settings.database_url or self.default_database_url

    def contract_path(self, contracts_dir: Path | None = None) -> Path:
        """Where the service's contract is read: `<contracts folder>/<name>/openapi.yaml`."""
        return contract_path(self.name, contracts_dir)

    def served_app(self) -> FastAPI:
        """The app as `dataservices serve` runs it in each worker process: settings and logging from the environment."""
        settings = self.settings()
        configure_logging(settings.log_level)
        app = self.create_app(settings, AuthSettings())
        settle_garbage_collector()
        return app


class ServiceRegistry:
    """The registered services in start order (a service after those it calls); refuses clashes."""

    def __init__(self, specs: Sequence[ServiceSpec[Any]]) -> None:
        by_name: dict[str, ServiceSpec[Any]] = {}
        ports: dict[int, str] = {}
        for spec in specs:
            if spec.name in by_name:
                raise ValueError(f"service {spec.name!r} is registered twice")
            if spec.default_port in ports:
                raise ValueError(f"{spec.name} and {ports[spec.default_port]} both default to port {spec.default_port}")
            by_name[spec.name] = spec
            ports[spec.default_port] = spec.name
        for spec in specs:
            unknown = [called for called in spec.calls if called not in by_name]
            if unknown:
                raise ValueError(f"{spec.name} calls unregistered services: {', '.join(unknown)}")
        self._specs = tuple(_start_order(by_name))
        self._by_name = {spec.name: spec for spec in self._specs}

    def __len__(self) -> int:
        return len(self._specs)

    def __iter__(self) -> Iterator[ServiceSpec[Any]]:
        return iter(self._specs)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def get(self, name: str) -> ServiceSpec[Any]:
        """The spec named `name`; a `LookupError` that lists the registered names otherwise."""
        try:
            return self._by_name[name]
        except KeyError:
            raise LookupError(f"no service {name!r}; registered: {', '.join(self.names)}") from None

    def select(self, name: str) -> tuple[ServiceSpec[Any], ...]:
        """`all` (every service, in start order) or the one named."""
        return self._specs if name == "all" else (self.get(name),)

    def with_callees(self, names: Sequence[str]) -> tuple[ServiceSpec[Any], ...]:
        """The named services and every service they call, directly or not, in start order."""
        wanted: set[str] = set()
        pending = list(names)
        while pending:
            spec = self.get(pending.pop())
            if spec.name not in wanted:
                wanted.add(spec.name)
                pending.extend(spec.calls)
        return tuple(spec for spec in self._specs if spec.name in wanted)


def _start_order(by_name: Mapping[str, ServiceSpec[Any]]) -> list[ServiceSpec[Any]]:
    """Services in registration order, each moved after the services it calls; a cycle is refused."""
    ordered: list[ServiceSpec[Any]] = []
    state: dict[str, str] = {}

    def visit(spec: ServiceSpec[Any], path: tuple[str, ...]) -> None:
        if state.get(spec.name) == "done":
            return
        if state.get(spec.name) == "visiting":
            raise ValueError(f"services call each other in a cycle: {' -> '.join((*path, spec.name))}")
        state[spec.name] = "visiting"
        for called in spec.calls:
            visit(by_name[called], (*path, spec.name))
        state[spec.name] = "done"
        ordered.append(spec)

    for spec in by_name.values():
        visit(spec, ())
    return ordered
