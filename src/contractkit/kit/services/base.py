"""The small piece each service contributes to the kit: valid requests, observable effects, its own promises.

Everything the contract says is checked generically; a service module adds only what the contract
cannot say: how to make a request that should succeed (with fresh data every time), how to observe
whether a request left something behind, which kit-made items a list should contain, how to bring a
resource into each state, and the promises that are the service's own (limits under concurrency,
money rules).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from contractkit.kit.calls import Call
from contractkit.kit.pages import Collection
from contractkit.kit.promises import PromiseRegistry
from contractkit.operations import Operation

if TYPE_CHECKING:
    from contractkit.kit.context import KitContext


class ServiceKit(ABC):
    """A service's part of the kit."""

    name: ClassVar[str]  # the contract's `info.x-service`
    promises: ClassVar[PromiseRegistry]

    @abstractmethod
    async def valid_call(self, ctx: KitContext, operation_id: str) -> Call:
        """A call to the operation that should succeed, with data no earlier call used."""

    async def effects(self, ctx: KitContext, call: Call) -> int | None:
        """How many stored things the call left (0 after a refusal), or None if it cannot be observed."""
        return None

    async def collection(self, ctx: KitContext, operation_id: str) -> Collection | None:
        """The list operation narrowed to kit-made items, or None if the service cannot narrow it."""
        return None

    async def in_state(self, ctx: KitContext, transition: Operation, state: str) -> dict[str, str] | None:
        """Path parameters of a fresh resource in `state` for a transition operation, if reachable."""
        return None
