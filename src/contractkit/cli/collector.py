"""The cyclic garbage collector, paused while ``lint`` or ``diff`` builds its big and acyclic object graph.

A 13 MB description parses into about two million dicts, lists and strings, and checking it adds
hundreds of thousands of nodes, views and findings. CPython runs a full collection each time the
long-lived objects grow by a quarter: eight or nine passes over millions of objects that find
nothing (about 750 objects in all on GitHub's description), a fifth of ``contractkit lint``'s
time and half of PyYAML's parse. Reference counting still frees everything as usual; only cycles
wait, and the collector runs again when the block ends. Only these two commands pause it: ``verify``
runs a fuzzer for minutes and creates cycles on purpose.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable cyclic garbage collection inside the block; restore the previous state after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
