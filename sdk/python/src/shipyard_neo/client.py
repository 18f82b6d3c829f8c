"""The entry point: :class:`BayClient`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Mapping
from types import TracebackType

import httpx

from shipyard_neo import _routes as r
from shipyard_neo._bodies import CreateSandboxBody
from shipyard_neo._config import ClientConfig, resolve_config
from shipyard_neo._transport import Transport
from shipyard_neo.admin import AdminManager
from shipyard_neo.cargo import CargoManager
from shipyard_neo.sandbox import Sandbox
from shipyard_neo.skills import SkillManager
from shipyard_neo.types import HealthInfo, ProfileList, SandboxInfo, SandboxList, SandboxStatus


class BayClient:
    """Async client of Bay's API.

    Example::

        async with BayClient() as client:  # BAY_ENDPOINT / BAY_TOKEN
            sandbox = await client.create_sandbox(ttl=600)
            result = await sandbox.python.exec("print('hello')")
            print(result.output)
            await sandbox.delete()

    Args:
        endpoint_url: Bay's base URL (default ``BAY_ENDPOINT``, else
            ``http://127.0.0.1:8114``).
        access_token: API key sent as ``Authorization: Bearer`` (default
            ``BAY_TOKEN``, else ``BAY_API_KEY``).
        timeout: Limit in seconds of each call, retries included (default
            ``BAY_TIMEOUT``, else 30; ``0`` disables). Exec calls use their own
            ``timeout`` plus 30 s; uploads and log follows have no overall limit.
        max_retries: Retries of failed requests that are safe to repeat
            (default ``BAY_MAX_RETRIES``, else 3; ``0`` disables).
        retry_backoff: First backoff step in seconds (doubled each retry, jittered).
        retry_max_delay: Longest wait between retries in seconds.
        headers: Extra headers sent with every request.
        transport: An httpx transport to use (tests, proxies, in-process apps).

    The client may be used without ``async with``; then call :meth:`aclose`.

    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        access_token: str | None = None,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_backoff: float = 0.25,
        retry_max_delay: float = 8.0,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        config = resolve_config(
            endpoint_url,
            access_token,
            timeout=timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            retry_max_delay=retry_max_delay,
            headers=headers,
            transport=transport,
        )
        self._t = Transport(config)
        self.cargos = CargoManager(self._t)
        """External cargos (:class:`CargoManager`)."""
        self.skills = SkillManager(self._t)
        """The skill lifecycle (:class:`SkillManager`)."""
        self.admin = AdminManager(self._t)
        """Garbage collection, admin keys only (:class:`AdminManager`)."""

    @property
    def config(self) -> ClientConfig:
        """The resolved settings."""
        return self._t.config

    @property
    def endpoint_url(self) -> str:
        """Bay's base URL."""
        return self._t.config.endpoint

    def __repr__(self) -> str:
        return f"BayClient({self.endpoint_url!r})"

    async def __aenter__(self) -> BayClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._t.aclose()

    # system

    async def health(self) -> HealthInfo:
        """``GET /health`` (needs no key)."""
        return await self._t.call(r.HEALTH)

    async def list_profiles(self, *, detail: bool = False) -> ProfileList:
        """The sandbox profiles; ``detail`` adds descriptions and containers."""
        return await self._t.call(r.PROFILES, query={"detail": True if detail else None})

    # sandboxes

    async def create_sandbox(
        self,
        *,
        profile: str = "python-default",
        cargo_id: str | None = None,
        ttl: int | None = None,
        idempotency_key: str | None = None,
    ) -> Sandbox:
        """Create a sandbox (compute starts on its first capability call).

        Args:
            profile: Profile id (see :meth:`list_profiles`).
            cargo_id: Mount this external cargo instead of a new managed one.
            ttl: Lifetime in seconds; ``None`` or ``<= 0``: never expires.
            idempotency_key: Sent as ``Idempotency-Key`` (default: a fresh
                one, so that retries create one sandbox).

        Raises:
            ValidationError: Unknown profile.
            NotFoundError: Unknown cargo.

        """
        info = await self._t.call(
            r.CREATE_SANDBOX,
            body=CreateSandboxBody(profile=profile, cargo_id=cargo_id, ttl=ttl),
            idempotency_key=idempotency_key or uuid.uuid4().hex,
        )
        return Sandbox(self._t, info)

    async def get_sandbox(self, sandbox_id: str) -> Sandbox:
        """An existing sandbox.

        Raises:
            NotFoundError: Deleted, or another owner's.

        """
        info = await self._t.call(r.GET_SANDBOX, path={"id": sandbox_id})
        return Sandbox(self._t, info)

    async def list_sandboxes(
        self,
        *,
        limit: int = 50,
        cursor: str | None = None,
        status: SandboxStatus | str | None = None,
    ) -> SandboxList:
        """One page of sandboxes (ids ascending); pass ``next_cursor`` for the next."""
        return await self._t.call(
            r.LIST_SANDBOXES, query={"limit": limit, "cursor": cursor, "status": status}
        )

    async def iter_sandboxes(
        self, *, status: SandboxStatus | str | None = None, page_size: int = 50
    ) -> AsyncGenerator[SandboxInfo, None]:
        """Every sandbox (matching ``status``), fetched page by page as the loop goes."""
        cursor: str | None = None
        while True:
            page = await self.list_sandboxes(limit=page_size, cursor=cursor, status=status)
            for item in page.items:
                yield item
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def delete_sandbox(self, sandbox_id: str) -> None:
        """Delete a sandbox by id (idempotent for your own deleted sandboxes)."""
        await self._t.call(r.DELETE_SANDBOX, path={"id": sandbox_id})
