"""The blocking facade: the same API as the async client, without ``await``.

Calls run on a private event loop in a background thread. Streaming
callbacks are called on that thread; they must not call the sync client.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import TracebackType

import httpx

from shipyard_neo.admin import AdminManager
from shipyard_neo.capabilities import (
    FilesystemCapability,
    ProcessCapability,
    PythonCapability,
    ShellCapability,
)
from shipyard_neo.cargo import CargoManager
from shipyard_neo.client import BayClient
from shipyard_neo.sandbox import Sandbox
from shipyard_neo.skills import SkillManager
from shipyard_neo.sync._portal import Portal
from shipyard_neo.sync._wrap import SyncProxy, blocking, blocking_iter, blocking_wrapped
from shipyard_neo.types import ContainerInfo, SandboxInfo, SandboxStatus


class SyncPythonCapability(SyncProxy[PythonCapability]):
    """Blocking :class:`~shipyard_neo.capabilities.PythonCapability`."""

    exec = blocking(PythonCapability.exec)
    interrupt = blocking(PythonCapability.interrupt)
    restart = blocking(PythonCapability.restart)


class SyncShellCapability(SyncProxy[ShellCapability]):
    """Blocking :class:`~shipyard_neo.capabilities.ShellCapability`."""

    exec = blocking(ShellCapability.exec)


class SyncFilesystemCapability(SyncProxy[FilesystemCapability]):
    """Blocking :class:`~shipyard_neo.capabilities.FilesystemCapability`."""

    read_file = blocking(FilesystemCapability.read_file)
    write_file = blocking(FilesystemCapability.write_file)
    list_dir = blocking(FilesystemCapability.list_dir)
    delete = blocking(FilesystemCapability.delete)
    edit_file = blocking(FilesystemCapability.edit_file)
    upload = blocking(FilesystemCapability.upload)
    download = blocking(FilesystemCapability.download)
    download_to = blocking(FilesystemCapability.download_to)
    iter_download = blocking_iter(FilesystemCapability.iter_download)


class SyncProcessCapability(SyncProxy[ProcessCapability]):
    """Blocking :class:`~shipyard_neo.capabilities.ProcessCapability`."""

    start = blocking(ProcessCapability.start)
    list = blocking(ProcessCapability.list)
    get = blocking(ProcessCapability.get)
    logs = blocking(ProcessCapability.logs)
    follow = blocking_iter(ProcessCapability.follow)
    wait = blocking(ProcessCapability.wait)
    write_stdin = blocking(ProcessCapability.write_stdin)
    kill = blocking(ProcessCapability.kill)


class SyncSandbox(SyncProxy[Sandbox]):
    """Blocking :class:`~shipyard_neo.Sandbox`; deleted on exit when used with ``with``."""

    def __init__(self, target: Sandbox, portal: Portal) -> None:
        super().__init__(target, portal)
        self.python = SyncPythonCapability(target.python, portal)
        self.shell = SyncShellCapability(target.shell, portal)
        self.filesystem = SyncFilesystemCapability(target.filesystem, portal)
        self.processes = SyncProcessCapability(target.processes, portal)

    def __enter__(self) -> SyncSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.delete()

    @property
    def info(self) -> SandboxInfo:
        """The last known description of the sandbox."""
        return self._target.info

    @property
    def id(self) -> str:
        """Sandbox id."""
        return self._target.id

    @property
    def status(self) -> SandboxStatus:
        """Status at the last refresh."""
        return self._target.status

    @property
    def profile(self) -> str:
        """Profile id."""
        return self._target.profile

    @property
    def cargo_id(self) -> str:
        """The cargo mounted at ``/workspace``."""
        return self._target.cargo_id

    @property
    def capabilities(self) -> list[str]:
        """Capabilities of the profile."""
        return self._target.capabilities

    @property
    def created_at(self) -> datetime:
        """Creation time."""
        return self._target.created_at

    @property
    def expires_at(self) -> datetime | None:
        """End of the TTL (``None``: never)."""
        return self._target.expires_at

    @property
    def idle_expires_at(self) -> datetime | None:
        """When the idle session will be reclaimed."""
        return self._target.idle_expires_at

    @property
    def containers(self) -> list[ContainerInfo] | None:
        """Containers of the live session (after :meth:`refresh`)."""
        return self._target.containers

    refresh = blocking(Sandbox.refresh)
    stop = blocking(Sandbox.stop)
    delete = blocking(Sandbox.delete)
    extend_ttl = blocking(Sandbox.extend_ttl)
    keepalive = blocking(Sandbox.keepalive)
    get_execution_history = blocking(Sandbox.get_execution_history)
    get_execution = blocking(Sandbox.get_execution)
    get_last_execution = blocking(Sandbox.get_last_execution)
    annotate_execution = blocking(Sandbox.annotate_execution)
    create_terminal_ticket = blocking(Sandbox.create_terminal_ticket)

    def terminal_url(self, *, cols: int = 80, rows: int = 24, ticket: str | None = None) -> str:
        """The terminal WebSocket URL (see :meth:`shipyard_neo.Sandbox.terminal_url`)."""
        return self._target.terminal_url(cols=cols, rows=rows, ticket=ticket)


class SyncCargoManager(SyncProxy[CargoManager]):
    """Blocking :class:`~shipyard_neo.CargoManager`."""

    create = blocking(CargoManager.create)
    get = blocking(CargoManager.get)
    list = blocking(CargoManager.list)
    iter = blocking_iter(CargoManager.iter)
    delete = blocking(CargoManager.delete)


class SyncSkillManager(SyncProxy[SkillManager]):
    """Blocking :class:`~shipyard_neo.SkillManager`."""

    create_payload = blocking(SkillManager.create_payload)
    get_payload = blocking(SkillManager.get_payload)
    create_candidate = blocking(SkillManager.create_candidate)
    list_candidates = blocking(SkillManager.list_candidates)
    get_candidate = blocking(SkillManager.get_candidate)
    evaluate_candidate = blocking(SkillManager.evaluate_candidate)
    promote_candidate = blocking(SkillManager.promote_candidate)
    delete_candidate = blocking(SkillManager.delete_candidate)
    list_releases = blocking(SkillManager.list_releases)
    rollback_release = blocking(SkillManager.rollback_release)
    delete_release = blocking(SkillManager.delete_release)
    get_release_health = blocking(SkillManager.get_release_health)


class SyncAdminManager(SyncProxy[AdminManager]):
    """Blocking :class:`~shipyard_neo.AdminManager`."""

    gc_status = blocking(AdminManager.gc_status)
    run_gc = blocking(AdminManager.run_gc)


class SyncBayClient(SyncProxy[BayClient]):
    """Blocking client of Bay's API, for code without an event loop.

    Takes the same arguments as :class:`~shipyard_neo.BayClient`.

    Example::

        with SyncBayClient() as client:
            with client.create_sandbox(ttl=600) as sandbox:
                print(sandbox.shell.exec("echo hi").output)
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
        client = BayClient(
            endpoint_url,
            access_token,
            timeout=timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            retry_max_delay=retry_max_delay,
            headers=headers,
            transport=transport,
        )
        super().__init__(client, Portal())
        self.cargos = SyncCargoManager(client.cargos, self._portal)
        self.skills = SyncSkillManager(client.skills, self._portal)
        self.admin = SyncAdminManager(client.admin, self._portal)

    def __enter__(self) -> SyncBayClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def endpoint_url(self) -> str:
        """Bay's base URL."""
        return self._target.endpoint_url

    def close(self) -> None:
        """Close the connections and stop the background loop (idempotent)."""
        if not self._portal.closed:
            try:
                self._portal.run(self._target.aclose())
            finally:
                self._portal.close()

    health = blocking(BayClient.health)
    list_profiles = blocking(BayClient.list_profiles)
    create_sandbox = blocking_wrapped(BayClient.create_sandbox, SyncSandbox)
    get_sandbox = blocking_wrapped(BayClient.get_sandbox, SyncSandbox)
    list_sandboxes = blocking(BayClient.list_sandboxes)
    iter_sandboxes = blocking_iter(BayClient.iter_sandboxes)
    delete_sandbox = blocking(BayClient.delete_sandbox)
