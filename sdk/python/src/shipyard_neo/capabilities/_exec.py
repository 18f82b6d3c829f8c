"""Running an exec request, plain or streamed as NDJSON when a callback is given.

Exec requests are never retried (they are not idempotent).
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from pydantic import BaseModel

from shipyard_neo._bodies import PythonExecBody, ShellExecBody
from shipyard_neo._ndjson import DisplayCallback, TextCallback, aiter_events, deliver
from shipyard_neo._routes import Route
from shipyard_neo._transport import NDJSON, Transport
from shipyard_neo.errors import BayConnectionError, ClientTimeoutError, error_from_envelope

R = TypeVar("R", bound=BaseModel)

EXEC_GRACE = 30.0
"""Seconds added to an exec's own limit for the HTTP call's limit."""


async def run_exec(
    transport: Transport,
    route: Route[R],
    sandbox_id: str,
    body: PythonExecBody | ShellExecBody,
    *,
    on_stdout: TextCallback | None = None,
    on_stderr: TextCallback | None = None,
    on_display: DisplayCallback | None = None,
    request_timeout: float | None = None,
) -> R:
    """POST ``body`` to ``route``; with any callback, stream and deliver events as they come.

    The call's limit defaults to the exec's ``timeout`` plus :data:`EXEC_GRACE`.
    """
    read = body.timeout + EXEC_GRACE
    limit = request_timeout if request_timeout is not None else read
    if on_stdout is None and on_stderr is None and on_display is None:
        return await transport.call(
            route, path={"id": sandbox_id}, body=body, timeout=limit, read_timeout=read
        )
    work = _streamed(transport, route, sandbox_id, body, read, on_stdout, on_stderr, on_display)
    try:
        return await asyncio.wait_for(work, limit)
    except asyncio.TimeoutError as e:
        raise ClientTimeoutError(f"{route.path}: no result within {limit:g} s") from e


async def _streamed(
    transport: Transport,
    route: Route[R],
    sandbox_id: str,
    body: PythonExecBody | ShellExecBody,
    read_timeout: float,
    on_stdout: TextCallback | None,
    on_stderr: TextCallback | None,
    on_display: DisplayCallback | None,
) -> R:
    async with transport.stream(
        route,
        path={"id": sandbox_id},
        body=body,
        headers={"Accept": NDJSON},
        timeout=transport.phase_timeout(read_timeout),
    ) as response:
        request_id = response.headers.get("X-Request-Id")
        if NDJSON not in response.headers.get("Content-Type", ""):
            await response.aread()
            return route.response.model_validate(response.json())
        async for event in aiter_events(response):
            kind = event.get("type")
            if kind == "stdout":
                await deliver(on_stdout, str(event.get("text") or ""))
            elif kind == "stderr":
                await deliver(on_stderr, str(event.get("text") or ""))
            elif kind == "display":
                data = event.get("data")
                await deliver(on_display, data if isinstance(data, dict) else {})
            elif kind == "result":
                event.pop("type")
                return route.response.model_validate(event)
            elif kind == "error":
                raise error_from_envelope(event, request_id=request_id)
        raise BayConnectionError("the stream ended before the result", request_id=request_id)
