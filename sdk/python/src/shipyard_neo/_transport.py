"""The transport every SDK call goes through.

URL and headers, time limits, the retry policy, and the mapping of failures
to :mod:`shipyard_neo.errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from enum import Enum
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel

from shipyard_neo._bodies import Body
from shipyard_neo._config import ClientConfig
from shipyard_neo._retry import retry_delay, retryable, safe_to_repeat
from shipyard_neo._routes import Route
from shipyard_neo._version import __version__
from shipyard_neo.errors import (
    BayConnectionError,
    BayError,
    ClientTimeoutError,
    error_from_response,
)
from shipyard_neo.types import NoContent

M = TypeVar("M", bound=BaseModel)

NDJSON: Final = "application/x-ndjson"
"""Media type of Bay's streamed answers."""

QueryValue = str | int | float | bool | Enum | None
Query = Mapping[str, QueryValue]
Content = bytes | AsyncIterable[bytes]

logger = logging.getLogger("shipyard_neo")


class _Unset(Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""Marker for "use the client's default" (distinct from ``None``: no limit)."""

TimeLimit = float | None | _Unset


def _query_string(value: QueryValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


class Transport:
    """Sends requests to Bay (one per SDK client; safe to share between tasks)."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _http(self) -> httpx.AsyncClient:
        """The HTTP client, created on first use in the running event loop.

        A client is bound to its loop's connections; used from another loop
        (e.g. a second ``asyncio.run``) a fresh one is made.
        """
        loop = asyncio.get_running_loop()
        if self._client is None or self._client.is_closed or self._loop is not loop:
            headers = {
                "User-Agent": f"shipyard-neo-python/{__version__}",
                "Accept": "application/json",
                **self.config.headers,
            }
            if self.config.token:
                headers["Authorization"] = f"Bearer {self.config.token}"
            kwargs: dict[str, Any] = {}
            if self.config.transport is not None:
                kwargs["transport"] = self.config.transport
            self._client = httpx.AsyncClient(
                base_url=self.config.endpoint,
                headers=headers,
                timeout=httpx.Timeout(self.config.timeout),
                **kwargs,
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        """Close the connections (the transport may still be used afterwards)."""
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            with contextlib.suppress(RuntimeError):  # its event loop is gone
                await client.aclose()

    def phase_timeout(self, read: TimeLimit = UNSET) -> httpx.Timeout:
        """Per-phase HTTP time limits: the client's, with ``read`` overridden when given."""
        base = self.config.timeout
        return httpx.Timeout(base, read=base if isinstance(read, _Unset) else read)

    def params(self, route: Route[Any], query: Query | None) -> dict[str, str]:
        """The query string of a request, checked against the route's parameters."""
        out: dict[str, str] = {}
        for key, value in (query or {}).items():
            if key not in route.query:
                raise ValueError(f"{route.method} {route.path} takes no query parameter {key!r}")
            text = _query_string(value)
            if text is not None:
                out[key] = text
        return out

    def url(
        self, route: Route[Any], path: Mapping[str, str] | None = None, query: Query | None = None
    ) -> str:
        """The absolute URL of a request."""
        url = self.config.endpoint + route.fill(**(path or {}))
        qs = urlencode(self.params(route, query))
        return f"{url}?{qs}" if qs else url

    async def call(
        self,
        route: Route[M],
        *,
        path: Mapping[str, str] | None = None,
        query: Query | None = None,
        body: Body | None = None,
        content: Content | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: TimeLimit = UNSET,
        read_timeout: TimeLimit = UNSET,
    ) -> M:
        """Send a request and return its answer as the route's response model.

        ``timeout`` bounds the whole call, retries included (default: the
        client's; ``None``: no limit). ``read_timeout`` overrides the longest
        wait for the answer's bytes.
        """
        limit = self.config.timeout if isinstance(timeout, _Unset) else timeout
        loop = asyncio.get_running_loop()
        deadline = None if limit is None else loop.time() + limit
        work = self._send(
            route,
            path=path,
            query=query,
            body=body,
            content=content,
            headers=headers,
            idempotency_key=idempotency_key,
            deadline=deadline,
            stream=False,
            timeout=self.phase_timeout(read_timeout),
        )
        if limit is None:
            response = await work
        else:
            try:
                response = await asyncio.wait_for(work, limit)
            except asyncio.TimeoutError as e:
                raise ClientTimeoutError(
                    f"{route.method} {route.path}: no answer within {limit:g} s"
                ) from e
        if route.response is NoContent or response.status_code == 204:
            return route.response.model_validate({})
        return route.response.model_validate(response.json())

    @asynccontextmanager
    async def stream(
        self,
        route: Route[Any],
        *,
        path: Mapping[str, str] | None = None,
        query: Query | None = None,
        body: Body | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Open a request whose successful answer is read as a stream.

        Only the start is retried (when safe); errors while reading the body
        are the caller's to handle. The response is closed on exit.
        """
        response = await self._send(
            route,
            path=path,
            query=query,
            body=body,
            content=None,
            headers=headers,
            idempotency_key=None,
            deadline=None,
            stream=True,
            timeout=timeout or self.phase_timeout(),
        )
        try:
            yield response
        finally:
            await response.aclose()

    async def _send(
        self,
        route: Route[Any],
        *,
        path: Mapping[str, str] | None,
        query: Query | None,
        body: Body | None,
        content: Content | None,
        headers: Mapping[str, str] | None,
        idempotency_key: str | None,
        deadline: float | None,
        stream: bool,
        timeout: httpx.Timeout,
    ) -> httpx.Response:
        if body is not None and (route.body is None or not isinstance(body, route.body)):
            raise TypeError(f"{route.method} {route.path} takes no {type(body).__name__}")
        client = self._http()
        url = route.fill(**(path or {}))
        params = self.params(route, query)
        all_headers = dict(headers or {})
        if idempotency_key is not None:
            all_headers["Idempotency-Key"] = idempotency_key
        json_body = body.to_json() if body is not None else None
        repeatable = (content is None or isinstance(content, bytes)) and safe_to_repeat(
            route.method, idempotency_key is not None
        )
        policy = self.config.retry
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            retry_after: str | None = None
            failure: BayError
            request = client.build_request(
                route.method,
                url,
                params=params,
                json=json_body,
                content=content,
                headers=all_headers,
                timeout=timeout,
            )
            try:
                response = await client.send(request, stream=stream)
            except httpx.TimeoutException as e:
                failure = ClientTimeoutError(f"{route.method} {url}: timed out ({e!r})")
                failure.__cause__ = e
            except httpx.TransportError as e:
                failure = BayConnectionError(f"{route.method} {url}: {e!r}")
                failure.__cause__ = e
            else:
                if response.is_success:
                    return response
                if stream:
                    try:
                        await response.aread()
                    except httpx.TransportError:
                        pass
                    finally:
                        await response.aclose()
                retry_after = response.headers.get("Retry-After")
                failure = error_from_response(response)
            if not repeatable or attempt >= policy.max_retries or not retryable(failure):
                raise failure
            delay = retry_delay(policy, attempt, failure, retry_after)
            if deadline is not None and loop.time() + delay >= deadline:
                raise failure
            logger.debug("retrying %s %s in %.2fs after %s", route.method, url, delay, failure.code)
            await asyncio.sleep(delay)
            attempt += 1
