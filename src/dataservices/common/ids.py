"""Opaque, prefixed, time-ordered ids (`cpn_01JD8R...`): a prefix and a ULID.

ULIDs sort by creation time, so keyset pagination by id returns items newest first without a
separate timestamp index, and ids never reveal a database sequence.
"""

from __future__ import annotations

import os
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last_ms = 0
_last_random = 0


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_CROCKFORD[rem])
    return "".join(reversed(chars))


def new_ulid() -> str:
    """A monotonic ULID: ids made in the same millisecond still sort in creation order."""
    global _last_ms, _last_random
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            now_ms = _last_ms
            _last_random += 1
        else:
            _last_random = int.from_bytes(os.urandom(10), "big") >> 1
        _last_ms = now_ms
        return _encode(now_ms, 10) + _encode(_last_random, 16)


def new_id(prefix: str) -> str:
    """A new id such as `cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K`."""
    return f"{prefix}_{new_ulid()}"
