"""Every data service this package serves: one entry per service.

The command line (`dataservices serve|migrate NAME|all`, `pg up`), the shared Alembic environment,
`make run`, the docs site and the test harness all read `SERVICES`, so a new service is its own
package plus one line here (and its import). This is the one module allowed to import the services
(the import contracts in pyproject.toml say so): `dataservices.common` describes a service, it never
names one.
"""

from __future__ import annotations

from types import SimpleNamespace

from dataservices.common.service_spec import ServiceRegistry
from dataservices.coupon.spec import SPEC as COUPON

SERVICES = ServiceRegistry(
    [
        COUPON,
    ]
)

# What uvicorn imports in every worker process of `dataservices serve NAME`: `dataservices.registry:served_apps.NAME`
# (worker processes build their app from an import string, not from an object handed to them).
served_apps = SimpleNamespace(**{spec.name: spec.served_app for spec in SERVICES})
