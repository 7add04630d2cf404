"""Idempotent requests in atomic phases with recovery points, for work that calls other services.

A request that must call other services cannot do all its work in one transaction: a call over HTTP
must never run while a transaction is open, and its outcome may be unknown (a timeout). Such work is a
chain of **phases** (the shape of Stripe's idempotency and brandur's "atomic phases"):

- each phase may first make **calls** to other services, each with an idempotency key derived from the
  request's key and the step (`Progress.key_for`), so repeating a call repeats nothing;
- then it does its **local work in one transaction**, which also moves the key row to the phase's
  recovery point and stores the data the next phases need, or stores the final answer;
- a request that fails between phases leaves the key at its last recovery point, and gives up its
  lease; a retry with the same key and body (or a sweep, see `IdempotencyKeys.unfinished`) resumes
  from there instead of starting again. A request that died holding its lease is taken over after
  `lock_seconds`.

Two requests never advance the same key: every phase commits only if the key row still carries the
lease of the request that runs it, so a request that was taken over has its phase rolled back.
Refusals that are the request's outcome (a declined debit) are answers, stored like successes: a phase
returns them, it does not raise them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from dataservices.common.db import Written
from dataservices.common.idempotency import STARTED, Claim, IdempotencyKeys, KeyedRequest, StoredResponse
from dataservices.common.sql import Transaction


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a request's work stands: its recovery point and the data its phases have stored so far."""

    request: KeyedRequest
    point: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def key_for(self, step: str) -> str:
        """The idempotency key of the call `step` makes to another service, the same on every attempt.

        Derived from the caller's client id and key, so two callers using the same key never share a
        derived one; at most 255 characters, as every service accepts.
        """
        digest = hashlib.sha256(f"{self.request.client_id}\n{self.request.key}".encode()).hexdigest()
        return f"{step}.{digest}"[:255]


@dataclass(frozen=True, slots=True)
class Advance:
    """A phase's outcome when more phases follow: the recovery point it reached and the data to keep."""

    point: str
    data: Mapping[str, Any] = field(default_factory=dict)


Outcome = Advance | StoredResponse
Calls = Callable[[Progress], Awaitable[Any]]
LocalWork = Callable[[Transaction, Progress, Any], Outcome]


@dataclass(frozen=True, slots=True)
class Phase:
    """One atomic phase, run when the work stands at `start`: optional calls, then one local transaction.

    `calls` runs outside any transaction and returns what `work` needs to know (their answers);
    `work(tx, progress, answers)` runs inside the transaction that also records its outcome.
    """

    start: str
    work: LocalWork
    calls: Calls | None = None


class PhasedWork:
    """Runs an idempotent request as a chain of phases over one service's idempotency keys."""

    def __init__(self, keys: IdempotencyKeys, phases: Sequence[Phase]) -> None:
        starts = [phase.start for phase in phases]
        if len(set(starts)) != len(starts) or STARTED not in starts:
            raise ValueError(f"phases need distinct starts, one of them {STARTED!r}: {starts}")
        self._keys = keys
        self._phases = {phase.start: phase for phase in phases}

    async def run(self, request: KeyedRequest) -> Written[StoredResponse]:
        """Run the request's remaining phases, or replay its stored answer.

        Raises what a phase raises (a database that is not available, a call that failed); the key then
        stays at its last recovery point, released, so a retry resumes at once.
        """
        database = self._keys.database
        first = self._phases[STARTED]
        begun = await database.write(partial(self._begin, request=request, first=first))
        if isinstance(begun.value, StoredResponse):
            return Written(begun.value, begun.token)
        claim, outcome = begun.value
        token = begun.token
        while not isinstance(outcome, StoredResponse):
            phase = self._phase(outcome.point)
            progress = Progress(request, outcome.point, outcome.data)
            try:
                answers = await phase.calls(progress) if phase.calls else None
                advanced = await database.write(
                    partial(
                        self._finish_phase,
                        request=request,
                        claim=claim,
                        phase=phase,
                        progress=progress,
                        answers=answers,
                    )
                )
            except BaseException:
                await self._keys.release(request, claim)
                raise
            (claim, outcome), token = advanced.value, advanced.token
        return Written(outcome, token)

    def _phase(self, point: str) -> Phase:
        try:
            return self._phases[point]
        except KeyError:
            raise RuntimeError(f"no phase starts at recovery point {point!r}") from None

    def _begin(self, tx: Transaction, request: KeyedRequest, first: Phase) -> StoredResponse | tuple[Claim, Outcome]:
        """Claim (or take over) the key; run the phase it stands at right away if that phase makes no calls."""
        claim = self._keys.claim(tx, request)
        if isinstance(claim, StoredResponse):
            return claim
        progress = Progress(request, claim.point, claim.data or {})
        phase = self._phase(claim.point)
        if phase.calls is not None:
            return claim, Advance(claim.point, progress.data)  # the calls come first, outside this transaction
        return self._finish_phase(tx, request, claim, phase, progress, None)

    def _finish_phase(
        self, tx: Transaction, request: KeyedRequest, claim: Claim, phase: Phase, progress: Progress, answers: Any
    ) -> tuple[Claim, Outcome]:
        outcome = phase.work(tx, progress, answers)
        if isinstance(outcome, StoredResponse):
            self._keys.complete(tx, request, claim.at, outcome)
            return claim, outcome
        renewed = self._keys.advance(tx, request, claim, outcome.point, dict(outcome.data))
        return renewed, outcome
