"""Drive Schemathesis's engine over a bundled contract, with its own terminal output and reports.

The contract is bundled in memory (so relative ``$ref``s work) and handed to the engine as a
dict; the event loop, terminal output, JUnit report and exit code are Schemathesis's own
``run`` command machinery, so results read exactly as ``schemathesis run`` prints them.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import schemathesis

# Schemathesis has no public "run with the CLI's output and reports on an in-memory schema";
# `_execute` is what its `run` command calls after loading (4.32). The live verify tests pin it.
from schemathesis.cli.commands.run.executor import _execute
from schemathesis.cli.events import LoadingFinished, LoadingStarted
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import HookExecutionError, InvalidSchema, LoaderError, LoaderErrorKind
from schemathesis.engine import events, from_schema


def run_schemathesis(document: dict[str, Any], config: dict[str, Any], location: str) -> int:
    """Run every enabled phase and check of ``config`` against ``document``; return the exit code.

    Exit codes are Schemathesis's: 0 all passed, 1 a check failed, a fail-on warning fired or
    the server could not be reached, 2 the run could not start (schema or configuration),
    130 interrupted.
    """
    st_config = SchemathesisConfig.from_dict(config)
    stream = _events(document, st_config, location)
    try:
        _execute(stream, config=st_config.projects.get_default(), args=[], params={}, startup_warnings=[])
    except SystemExit as exc:
        # The event loop ends the way the CLI does, with sys.exit; verify returns the code instead.
        return exc.code if isinstance(exc.code, int) else 2
    return 0


def _events(
    document: dict[str, Any], config: SchemathesisConfig, location: str
) -> Generator[events.EngineEvent, None, None]:
    """The event stream ``schemathesis run`` produces, but for an in-memory document."""
    started = LoadingStarted(location=location)
    yield started
    try:
        schema = schemathesis.openapi.from_dict(document, config=config)
        base_url = schema.get_base_url()
    except (LoaderError, HookExecutionError) as exc:
        yield events.FatalError(exception=exc)
        return
    except InvalidSchema as exc:
        yield events.FatalError(exception=LoaderError(LoaderErrorKind.OPEN_API_INVALID_SCHEMA, exc.message))
        return
    yield LoadingFinished.from_schema(schema, location=location, start_time=started.timestamp, base_url=base_url)
    try:
        yield from from_schema(schema).execute()
    except Exception as exc:
        yield events.FatalError(exception=exc)
