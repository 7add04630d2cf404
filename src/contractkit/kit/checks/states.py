"""KIT-5xx: state machines the contract declares with `x-state-transition`."""

from __future__ import annotations

from collections import defaultdict

from contractkit.kit.calls import Call
from contractkit.kit.checks.http import resource_read
from contractkit.kit.checks.registry import GENERIC
from contractkit.kit.context import KitContext, checklist
from contractkit.kit.promises import Category, Skipped, promise
from contractkit.operations import Operation


def _machines(ctx: KitContext) -> dict[str, list[Operation]]:
    """Transition operations grouped by the state property they move."""
    machines: dict[str, list[Operation]] = defaultdict(list)
    for op in ctx.facts.operations.values():
        if op.transition is not None:
            machines[op.transition.property].append(op)
    if not machines:
        raise Skipped("the contract declares no x-state-transition")
    return machines


async def _state_of(ctx: KitContext, op: Operation, params: dict[str, str], prop: str) -> object:
    read = resource_read(ctx, op, params)
    if read is None:
        return None
    reply = await ctx.send(read)
    body = reply.json()
    return body.get(prop) if reply.status == 200 and isinstance(body, dict) else None


@promise(
    GENERIC,
    "KIT-501",
    "MUST",
    Category.STATES,
    "Every documented transition moves the resource to its target state; repeating a repeatable one changes "
    "nothing; every other transition is refused with the operation's documented 409 problem and changes nothing.",
)
async def transitions(ctx: KitContext) -> None:
    found = checklist()
    judged = 0
    for prop, operations in _machines(ctx).items():
        states = sorted(
            {state for op in operations if op.transition for state in (*op.transition.sources, op.transition.target)}
        )
        for op in operations:
            transition = op.transition
            assert transition is not None
            for state in states:
                params = await ctx.service.in_state(ctx, op, state)
                if params is None:
                    found.fail(f"{op.operation_id}: the service module cannot make a resource in state {state}")
                    continue
                judged += 1
                reply = await ctx.send(Call(operation=op, path_params=params))
                body = reply.json()
                moved_to = body.get(prop) if isinstance(body, dict) else None
                where = f"{op.operation_id} from {state}"
                if state in transition.sources:
                    found.check(
                        reply.status == 200 and moved_to == transition.target,
                        f"{reply.describe()}: {where} must answer 200 with {prop} {transition.target}, got "
                        f"{reply.status} {moved_to or reply.code}",
                    )
                    now = await _state_of(ctx, op, params, prop)
                    found.check(now == transition.target, f"{where}: the resource reads {now} afterwards")
                elif state == transition.target and transition.repeatable:
                    found.check(
                        reply.status == 200 and moved_to == state,
                        f"{reply.describe()}: repeating {op.operation_id} on a {state} resource must answer 200 "
                        f"unchanged, got {reply.status} {moved_to or reply.code}",
                    )
                else:
                    found.check(
                        reply.status == 409 and reply.code in op.problem_codes(409),
                        f"{reply.describe()}: {where} is not a documented transition and must be refused with "
                        f"the documented 409 problem",
                    )
                    now = await _state_of(ctx, op, params, prop)
                    found.check(now == state, f"{where}: a refused transition left the resource {now}")
    if not judged:
        raise Skipped("no resource could be brought into the states the transitions name")
