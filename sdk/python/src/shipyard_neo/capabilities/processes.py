"""``sandbox.processes``: long-running commands that outlive a request."""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, Mapping

from shipyard_neo import _routes as r
from shipyard_neo._bodies import KillBody, Signal, StartProcessBody, StdinBody
from shipyard_neo._follow import follow_logs
from shipyard_neo._ndjson import TextCallback, deliver
from shipyard_neo.capabilities._base import BaseCapability
from shipyard_neo.types import ProcessInfo, ProcessLogEvent, ProcessLogs


class ProcessCapability(BaseCapability):
    """Background processes: start, inspect, read or follow output, stdin, signals.

    Running processes count as activity, so their sandbox is not idle-reclaimed.
    """

    async def start(
        self, command: str, *, cwd: str | None = None, env: Mapping[str, str] | None = None
    ) -> ProcessInfo:
        """Start ``command`` (``bash -lc``) in the background. Not retried."""
        body = StartProcessBody(
            command=command, cwd=cwd, env=dict(env) if env is not None else None
        )
        return await self._t.call(r.START_PROCESS, path=self._p(), body=body)

    async def list(self) -> builtins.list[ProcessInfo]:
        """Every process of the sandbox's current session."""
        result = await self._t.call(r.LIST_PROCESSES, path=self._p())
        return result.items

    async def get(self, process_id: str) -> ProcessInfo:
        """One process."""
        return await self._t.call(r.GET_PROCESS, path=self._p(process_id=process_id))

    async def logs(self, process_id: str, *, offset: int = 0) -> ProcessLogs:
        """Output retained after byte ``offset``; continue from ``next_offset``."""
        return await self._t.call(
            r.PROCESS_LOGS, path=self._p(process_id=process_id), query={"offset": offset}
        )

    def follow(
        self, process_id: str, *, offset: int = 0, max_reconnects: int = 5
    ) -> AsyncGenerator[ProcessLogEvent, None]:
        """Follow the output as produced, ending with one ``exit`` event.

        A dropped connection is resumed from the last offset without gaps or
        repeats. Leaving the loop stops following (the process runs on).

        Example::

            async for ev in sandbox.processes.follow(proc.process_id):
                if ev.type == "exit":
                    print("exit code", ev.exit_code)
                else:
                    print(ev.type, ev.text, end="")
        """
        return follow_logs(
            self._t, self._id, process_id, offset=offset, max_reconnects=max_reconnects
        )

    async def wait(
        self,
        process_id: str,
        *,
        on_stdout: TextCallback | None = None,
        on_stderr: TextCallback | None = None,
        offset: int = 0,
    ) -> int | None:
        """Follow the process until it ends and return its exit code.

        ``on_stdout`` / ``on_stderr`` receive its output on the way.
        """
        async for event in self.follow(process_id, offset=offset):
            if event.type == "exit":
                return event.exit_code
            await deliver(on_stdout if event.type == "stdout" else on_stderr, event.text)
        return None

    async def write_stdin(self, process_id: str, data: str) -> None:
        """Write ``data`` (UTF-8) to the process's stdin. Not retried.

        Raises:
            ConflictError: The process has exited or closed its stdin.

        """
        await self._t.call(
            r.PROCESS_STDIN, path=self._p(process_id=process_id), body=StdinBody(data=data)
        )

    async def kill(self, process_id: str, signal: Signal = "SIGTERM") -> ProcessInfo:
        """Send ``signal`` to the process group; returns the process as it is then."""
        return await self._t.call(
            r.KILL_PROCESS, path=self._p(process_id=process_id), body=KillBody(signal=signal)
        )
