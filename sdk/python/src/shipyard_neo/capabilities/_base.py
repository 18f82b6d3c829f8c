"""Common base of the per-sandbox capability objects."""

from __future__ import annotations

from shipyard_neo._transport import Transport


class BaseCapability:
    """A capability of one sandbox (python, shell, filesystem, processes)."""

    def __init__(self, transport: Transport, sandbox_id: str) -> None:
        self._t = transport
        self._id = sandbox_id

    @property
    def sandbox_id(self) -> str:
        """The sandbox this capability acts on."""
        return self._id

    def _p(self, **more: str) -> dict[str, str]:
        return {"id": self._id, **more}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._id!r})"
