"""The :class:`Sandbox` resource."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import TracebackType

from shipyard_neo import _routes as r
from shipyard_neo._bodies import AnnotateBody, ExtendTTLBody, Tags
from shipyard_neo._transport import Transport
from shipyard_neo.capabilities import (
    FilesystemCapability,
    ProcessCapability,
    PythonCapability,
    ShellCapability,
)
from shipyard_neo.types import (
    ContainerInfo,
    ExecutionHistoryEntry,
    ExecutionHistoryList,
    SandboxInfo,
    SandboxStatus,
    TerminalTicket,
)

ExecType = str
"""``python``, ``shell``, ``browser`` or ``browser_batch``."""


class Sandbox:
    """An isolated environment with a persistent ``/workspace``.

    Compute (a *session*) starts on the first capability call and is
    reclaimed when idle; files stay. Properties reflect the last answer from
    Bay: call :meth:`refresh` for the current state.

    Attributes:
        python: The IPython kernel (:class:`PythonCapability`).
        shell: Shell commands (:class:`ShellCapability`).
        filesystem: Files (:class:`FilesystemCapability`).
        processes: Background processes (:class:`ProcessCapability`).

    Used as an async context manager, the sandbox is deleted on exit.

    """

    def __init__(self, transport: Transport, info: SandboxInfo) -> None:
        self._t = transport
        self._info = info
        self.python = PythonCapability(transport, info.id)
        self.shell = ShellCapability(transport, info.id)
        self.filesystem = FilesystemCapability(transport, info.id)
        self.processes = ProcessCapability(transport, info.id)

    def __repr__(self) -> str:
        return f"Sandbox(id={self.id!r}, status={self.status.value!r}, profile={self.profile!r})"

    async def __aenter__(self) -> Sandbox:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.delete()

    @property
    def info(self) -> SandboxInfo:
        """The last known description of the sandbox."""
        return self._info

    @property
    def id(self) -> str:
        """Sandbox id (``sandbox-…``)."""
        return self._info.id

    @property
    def status(self) -> SandboxStatus:
        """Status at the last refresh."""
        return self._info.status

    @property
    def profile(self) -> str:
        """Profile id."""
        return self._info.profile

    @property
    def cargo_id(self) -> str:
        """The cargo mounted at ``/workspace``."""
        return self._info.cargo_id

    @property
    def capabilities(self) -> list[str]:
        """Capabilities of the profile (e.g. ``["python", "shell", "filesystem"]``)."""
        return self._info.capabilities

    @property
    def created_at(self) -> datetime:
        """Creation time."""
        return self._info.created_at

    @property
    def expires_at(self) -> datetime | None:
        """End of the TTL (``None``: never)."""
        return self._info.expires_at

    @property
    def idle_expires_at(self) -> datetime | None:
        """When the idle session will be reclaimed (``None``: no session)."""
        return self._info.idle_expires_at

    @property
    def containers(self) -> list[ContainerInfo] | None:
        """Containers of the live session (filled by :meth:`refresh` only)."""
        return self._info.containers

    # lifecycle

    async def refresh(self) -> SandboxInfo:
        """Fetch the current state from Bay (and return it)."""
        self._info = await self._t.call(r.GET_SANDBOX, path={"id": self.id})
        return self._info

    async def stop(self) -> None:
        """Stop the session: container, kernel and processes go; files stay.

        The next capability call starts a new session.
        """
        await self._t.call(r.STOP_SANDBOX, path={"id": self.id})

    async def delete(self) -> None:
        """Delete the sandbox and its managed cargo (idempotent; external cargo is kept)."""
        await self._t.call(r.DELETE_SANDBOX, path={"id": self.id})

    async def extend_ttl(self, seconds: int, *, idempotency_key: str | None = None) -> SandboxInfo:
        """Push the TTL to ``max(expires_at, now) + seconds``. Retried safely.

        Raises:
            SandboxTTLInfiniteError: The sandbox never expires.
            SandboxExpiredError: The TTL already passed (no resurrection).

        """
        self._info = await self._t.call(
            r.EXTEND_TTL,
            path={"id": self.id},
            body=ExtendTTLBody(extend_by=seconds),
            idempotency_key=idempotency_key or uuid.uuid4().hex,
        )
        return self._info

    async def keepalive(self) -> None:
        """Push the idle deadline forward (never starts compute; not the TTL)."""
        await self._t.call(r.KEEPALIVE, path={"id": self.id})

    # execution history

    async def get_execution_history(
        self,
        *,
        exec_type: ExecType | None = None,
        success_only: bool = False,
        limit: int = 100,
        offset: int = 0,
        tags: str | None = None,
        has_notes: bool = False,
        has_description: bool = False,
    ) -> ExecutionHistoryList:
        """One page of this sandbox's executions, newest first.

        Args:
            exec_type: Only this type (``python``, ``shell``, ...).
            success_only: Only successful executions.
            limit: Page size (1-500).
            offset: Entries to skip.
            tags: Comma list; an entry matches when any of its tags contains
                any term (case-insensitive).
            has_notes: Only entries with notes.
            has_description: Only entries with a description.

        """
        return await self._t.call(
            r.LIST_HISTORY,
            path={"id": self.id},
            query={
                "exec_type": exec_type,
                "success_only": True if success_only else None,
                "limit": limit,
                "offset": offset,
                "tags": tags,
                "has_notes": True if has_notes else None,
                "has_description": True if has_description else None,
            },
        )

    async def get_execution(self, execution_id: str) -> ExecutionHistoryEntry:
        """One execution of this sandbox."""
        return await self._t.call(r.GET_HISTORY, path={"id": self.id, "execution_id": execution_id})

    async def get_last_execution(
        self, *, exec_type: ExecType | None = None
    ) -> ExecutionHistoryEntry:
        """The newest execution (of ``exec_type`` when given).

        Raises:
            NotFoundError: There is none.

        """
        return await self._t.call(
            r.LAST_HISTORY, path={"id": self.id}, query={"exec_type": exec_type}
        )

    async def annotate_execution(
        self,
        execution_id: str,
        *,
        description: str | None = None,
        tags: Tags = None,
        notes: str | None = None,
    ) -> ExecutionHistoryEntry:
        """Set the description, tags or notes of an execution (``None`` leaves a field)."""
        return await self._t.call(
            r.ANNOTATE_HISTORY,
            path={"id": self.id, "execution_id": execution_id},
            body=AnnotateBody(description=description, tags=tags, notes=notes),
        )

    # terminal

    async def create_terminal_ticket(self) -> TerminalTicket:
        """A single-use ticket for opening the terminal (e.g. from a browser)."""
        return await self._t.call(r.TERMINAL_TICKET, path={"id": self.id})

    def terminal_url(self, *, cols: int = 80, rows: int = 24, ticket: str | None = None) -> str:
        """The ``ws://`` / ``wss://`` URL of the terminal WebSocket.

        Connect with any WebSocket client, sending the ``Authorization``
        header or passing a ``ticket`` from :meth:`create_terminal_ticket`.
        Binary frames carry terminal bytes; text frames JSON control messages.
        """
        url = self._t.url(
            r.TERMINAL, {"id": self.id}, {"cols": cols, "rows": rows, "ticket": ticket}
        )
        return "ws" + url[4:] if url.startswith("http") else url
