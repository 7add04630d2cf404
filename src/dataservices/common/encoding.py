"""JSON as the services send it: UTF-8, compact, in one place so every answer is encoded alike.

orjson encodes about ten times faster than the standard library, which matters on every response.
Its limits never bite here: keys are strings, integers fit in 64 bits, and strings holding a lone
surrogate are refused when the request is validated.
"""

from __future__ import annotations

from typing import Any

import orjson


def dump_json(body: Any) -> bytes:
    """The JSON document of a response body."""
    return orjson.dumps(body)
