"""``sandbox.python``: the stateful IPython kernel."""

from __future__ import annotations

from shipyard_neo import _routes as r
from shipyard_neo._bodies import PythonExecBody, Tags
from shipyard_neo._ndjson import DisplayCallback, TextCallback
from shipyard_neo.capabilities._base import BaseCapability
from shipyard_neo.capabilities._exec import run_exec
from shipyard_neo.types import PythonExecResult


class PythonCapability(BaseCapability):
    """Python code execution in the sandbox's IPython kernel.

    Variables and imports persist across calls within a session; the
    kernel's working directory is ``/workspace``.
    """

    async def exec(
        self,
        code: str,
        *,
        timeout: int = 30,
        include_code: bool = False,
        description: str | None = None,
        tags: Tags = None,
        on_stdout: TextCallback | None = None,
        on_stderr: TextCallback | None = None,
        on_display: DisplayCallback | None = None,
        request_timeout: float | None = None,
    ) -> PythonExecResult:
        """Run ``code`` and return its result.

        Args:
            code: Python source (IPython syntax).
            timeout: Seconds (1-300) before the kernel is interrupted; the
                result then has ``success=False`` and the state is kept.
            include_code: Echo the code back in ``result.code``.
            description: Stored in the execution history.
            tags: Stored in the history (a comma-separated string or a list).
            on_stdout: Called with standard output text as it is produced.
            on_stderr: Called with standard error text as it is produced.
            on_display: Called with each rich display's MIME bundle.
            request_timeout: Limit of the HTTP call in seconds (default
                ``timeout`` + 30).

        Giving any callback streams the execution (NDJSON); cancelling the
        awaiting task then stops the code within a second.

        Raises:
            CapabilityNotSupportedError: The profile has no ``python``.
            SandboxExpiredError: The sandbox's TTL has passed.

        """
        body = PythonExecBody(
            code=code,
            timeout=timeout,
            include_code=include_code,
            description=description,
            tags=tags,
        )
        return await run_exec(
            self._t,
            r.PYTHON_EXEC,
            self._id,
            body,
            on_stdout=on_stdout,
            on_stderr=on_stderr,
            on_display=on_display,
            request_timeout=request_timeout,
        )

    async def interrupt(self) -> None:
        """Interrupt the code running in the kernel (its state is kept)."""
        await self._t.call(r.PYTHON_INTERRUPT, path=self._p())

    async def restart(self) -> None:
        """Restart the kernel: variables and imports are cleared."""
        await self._t.call(r.PYTHON_RESTART, path=self._p())
