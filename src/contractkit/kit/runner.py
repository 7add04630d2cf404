"""Run the kit's promises against an implementation and judge each one."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from contractkit.kit.checks import GENERIC
from contractkit.kit.context import Checklist, KitContext, checking
from contractkit.kit.credentials import Credentials, CredentialsError
from contractkit.kit.options import PROMISE_DEADLINE_SECONDS, KitOptions
from contractkit.kit.promises import Broken, Promise, Skipped
from contractkit.kit.services import service_kit
from contractkit.operations import OperationIndex


class Outcome(StrEnum):
    PASSED = "PASS"
    FAILED = "FAIL"
    SKIPPED = "SKIP"
    ERROR = "ERROR"  # the check itself could not run (credentials, an answer it could not read)


@dataclass(frozen=True)
class PromiseResult:
    """How one promise fared."""

    promise: Promise
    outcome: Outcome
    messages: tuple[str, ...] = ()
    cases: int = 0
    seconds: float = 0.0
    # Why the implementation declared this failure expected, if it did.
    expected: str | None = None

    @property
    def fails_run(self) -> bool:
        """A broken MUST fails the run even when expected; a broken SHOULD only when not declared."""
        if self.outcome not in (Outcome.FAILED, Outcome.ERROR):
            return False
        return self.promise.level == "MUST" or self.expected is None


@dataclass
class KitReport:
    """The outcome of a kit run."""

    service: str | None
    base_url: str
    credentials: str
    results: list[PromiseResult] = field(default_factory=list)
    note: str | None = None

    @property
    def passed(self) -> bool:
        return not any(result.fails_run for result in self.results)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)


def promises_for(service: str | None) -> list[Promise]:
    """Every promise the kit checks for a service: the generic ones, then the service's own."""
    kit = service_kit(service)
    return [*GENERIC, *(kit.promises if kit else ())]


async def _judge(ctx: KitContext, promise: Promise, expected: str | None) -> PromiseResult:
    found = Checklist()
    started = time.monotonic()
    outcome: Outcome = Outcome.PASSED
    messages: tuple[str, ...] = ()
    with checking(found):
        try:
            await asyncio.wait_for(promise.check(ctx), PROMISE_DEADLINE_SECONDS)
            found.settle()
        except Broken as exc:
            outcome, messages = Outcome.FAILED, (*found.failures, *(c for c in exc.cases if c not in found.failures))
        except Skipped as exc:
            outcome, messages = (
                (Outcome.FAILED, tuple(found.failures)) if found.failures else (Outcome.SKIPPED, (str(exc),))
            )
        except CredentialsError as exc:
            outcome, messages = Outcome.ERROR, (f"credentials: {exc}",)
        except TimeoutError:
            outcome, messages = Outcome.FAILED, (*found.failures, f"not judged within {PROMISE_DEADLINE_SECONDS:.0f} s")
        except Exception as exc:  # a check that could not read an answer reports it; the run goes on
            where = traceback.extract_tb(exc.__traceback__)[-1]
            detail = f"{type(exc).__name__}: {exc} (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
            outcome, messages = Outcome.ERROR, (*found.failures, detail)
    return PromiseResult(
        promise=promise,
        outcome=outcome,
        messages=tuple(messages),
        cases=found.cases,
        seconds=time.monotonic() - started,
        expected=expected,
    )


async def run_kit(
    document: dict[str, Any],
    options: KitOptions,
    credentials: Credentials,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_result: Callable[[PromiseResult], None] = lambda _: None,
) -> KitReport:
    """Check every promise that applies to the contract `document` against `options.base_url`."""
    facts = OperationIndex(document)
    report = KitReport(service=facts.service, base_url=options.base_url, credentials=credentials.description)
    kit_class = service_kit(facts.service)
    if kit_class is None:
        report.note = (
            f"no behavioural kit for service {facts.service!r} (info.x-service); only the contract's shape was verified"
        )
        return report
    selected = [p for p in promises_for(facts.service) if not options.only or p.id in options.only]
    unknown = sorted(options.only - {p.id for p in promises_for(facts.service)})
    if unknown:
        raise ValueError(f"unknown promise ids: {', '.join(unknown)}")
    limits = httpx.Limits(max_connections=options.burst + 50, max_keepalive_connections=64)
    timeout = httpx.Timeout(options.timeout_seconds)
    async with httpx.AsyncClient(
        base_url=options.base_url, timeout=timeout, limits=limits, transport=transport
    ) as http:
        ctx = KitContext(facts=facts, options=options, credentials=credentials, service=kit_class(), http=http)
        expected = options.expected_failures
        background = {p.id: asyncio.create_task(_judge(ctx, p, expected.get(p.id))) for p in selected if p.background}
        for promise in selected:
            if promise.background:
                continue
            result = await _judge(ctx, promise, expected.get(promise.id))
            report.results.append(result)
            on_result(result)
        for promise_id in sorted(background):
            result = await background[promise_id]
            report.results.append(result)
            on_result(result)
    order = {promise.id: index for index, promise in enumerate(selected)}
    report.results.sort(key=lambda result: order[result.promise.id])
    return report


def selected_ids(values: Iterable[str]) -> frozenset[str]:
    """Promise ids from `--promise` values, which may be comma-separated."""
    return frozenset(part.strip().upper() for value in values for part in value.split(",") if part.strip())
