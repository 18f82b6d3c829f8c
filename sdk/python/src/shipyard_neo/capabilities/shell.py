"""``sandbox.shell``: commands run with ``bash -lc`` as the sandbox user."""

from __future__ import annotations

from collections.abc import Mapping

from shipyard_neo import _routes as r
from shipyard_neo._bodies import ShellExecBody, Tags
from shipyard_neo._ndjson import TextCallback
from shipyard_neo.capabilities._base import BaseCapability
from shipyard_neo.capabilities._exec import run_exec
from shipyard_neo.types import ShellExecResult


class ShellCapability(BaseCapability):
    """Shell command execution (HOME and default cwd ``/workspace``)."""

    async def exec(
        self,
        command: str,
        *,
        timeout: int = 30,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        include_code: bool = False,
        description: str | None = None,
        tags: Tags = None,
        on_stdout: TextCallback | None = None,
        on_stderr: TextCallback | None = None,
        request_timeout: float | None = None,
    ) -> ShellExecResult:
        """Run ``command`` and return its result.

        Args:
            command: A bash command line.
            timeout: Seconds (1-300) before the process group is killed;
                ``exit_code`` is then -1 and the output so far is kept.
            cwd: Working directory relative to ``/workspace``.
            env: Extra environment variables.
            include_code: Echo the command back in ``result.command``.
            description: Stored in the execution history.
            tags: Stored in the history (a comma-separated string or a list).
            on_stdout: Called with standard output text as it is produced.
            on_stderr: Called with standard error text as it is produced.
            request_timeout: Limit of the HTTP call in seconds (default
                ``timeout`` + 30).

        Giving any callback streams the execution (NDJSON); cancelling the
        awaiting task then kills the command within a second.

        Raises:
            InvalidPathError: ``cwd`` is absolute or escapes ``/workspace``.

        """
        body = ShellExecBody(
            command=command,
            timeout=timeout,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            include_code=include_code,
            description=description,
            tags=tags,
        )
        return await run_exec(
            self._t,
            r.SHELL_EXEC,
            self._id,
            body,
            on_stdout=on_stdout,
            on_stderr=on_stderr,
            request_timeout=request_timeout,
        )
