"""``client.admin``: garbage collection (admin keys only)."""

from __future__ import annotations

from collections.abc import Sequence

from shipyard_neo import _routes as r
from shipyard_neo._bodies import RunGCBody
from shipyard_neo._transport import Transport
from shipyard_neo.types import GCRunResult, GCStatus, GCTaskName


class AdminManager:
    """Administrative operations."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def gc_status(self) -> GCStatus:
        """The garbage collector's configuration and state."""
        return await self._t.call(r.GC_STATUS)

    async def run_gc(self, tasks: Sequence[GCTaskName] | None = None) -> GCRunResult:
        """Run GC now: only ``tasks`` when given, else all enabled tasks.

        Raises:
            LockedError: A GC run is already in progress.
            ForbiddenError: The key is not an admin key.

        """
        body = RunGCBody(tasks=list(tasks) if tasks is not None else None)
        return await self._t.call(r.GC_RUN, body=body, timeout=None)
