"""Reading Bay's NDJSON streams (one JSON object per line)."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from shipyard_neo.errors import BayConnectionError

TextCallback = Callable[[str], object]
"""A callback receiving text (stdout or stderr); may be sync or async (awaited)."""

DisplayCallback = Callable[[dict[str, Any]], object]
"""A callback receiving a rich display's MIME bundle; may be sync or async (awaited)."""


async def aiter_events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The JSON objects of an NDJSON response, as they arrive.

    A broken connection raises :class:`~shipyard_neo.errors.BayConnectionError`.
    """
    try:
        async for line in response.aiter_lines():
            line = line.strip()
            if not line:
                continue
            event = json.loads(line)
            if isinstance(event, dict):
                yield event
    except httpx.TransportError as e:
        raise BayConnectionError(
            f"the stream broke: {e!r}", request_id=response.headers.get("X-Request-Id")
        ) from e


async def deliver(callback: Callable[[Any], object] | None, value: Any) -> None:
    """Call ``callback`` with ``value``, awaiting it when it is async."""
    if callback is None:
        return
    result = callback(value)
    if inspect.isawaitable(result):
        await result
