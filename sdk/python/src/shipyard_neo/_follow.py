"""Following a background process's output across dropped connections.

A broken stream is resumed from the last offset seen: nothing is lost while
the runtime retains it, and nothing is repeated.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from shipyard_neo import _routes as r
from shipyard_neo._ndjson import aiter_events
from shipyard_neo._retry import retry_delay, retryable
from shipyard_neo._transport import NDJSON, Transport
from shipyard_neo.errors import BayConnectionError, BayError, error_from_envelope
from shipyard_neo.types import ProcessLogEvent


def _resume(text: str, end: int, pos: int) -> str:
    """The part of ``text`` (ending at byte ``end``) that lies after byte ``pos``."""
    data = text.encode()
    start = end - len(data)
    if start >= pos:
        return text
    return data[pos - start :].decode("utf-8", errors="replace")


async def follow_logs(
    transport: Transport,
    sandbox_id: str,
    process_id: str,
    *,
    offset: int = 0,
    max_reconnects: int = 5,
) -> AsyncGenerator[ProcessLogEvent, None]:
    """Output events of a process in offset order, then one ``exit`` event.

    A stream that breaks (or ends early) is resumed from the last offset;
    after ``max_reconnects`` consecutive failures the last failure is raised.
    """
    pos = offset
    failures = 0
    path = {"id": sandbox_id, "process_id": process_id}
    while True:
        failure: BayError
        try:
            async with transport.stream(
                r.PROCESS_LOGS,
                path=path,
                query={"offset": pos, "follow": True},
                headers={"Accept": NDJSON},
                timeout=transport.phase_timeout(read=None),
            ) as response:
                request_id = response.headers.get("X-Request-Id")
                async for event in aiter_events(response):
                    kind = event.get("type")
                    if kind in ("stdout", "stderr"):
                        end = int(event.get("offset") or 0)
                        if end <= pos:
                            continue  # already delivered
                        text = _resume(str(event.get("text") or ""), end, pos)
                        pos = end
                        failures = 0
                        yield ProcessLogEvent(type=kind, text=text, offset=end)
                    elif kind == "exit":
                        code = event.get("exit_code")
                        yield ProcessLogEvent(
                            type="exit", exit_code=code if isinstance(code, int) else None
                        )
                        return
                    elif kind == "error":
                        raise error_from_envelope(event, request_id=request_id)
                failure = BayConnectionError(
                    "the log stream ended before the process did", request_id=request_id
                )
        except BayError as e:
            if not retryable(e):
                raise
            failure = e
        failures += 1
        if failures > max_reconnects:
            raise failure
        await asyncio.sleep(retry_delay(transport.config.retry, failures - 1, failure))
