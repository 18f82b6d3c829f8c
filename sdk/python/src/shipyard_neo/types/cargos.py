"""Cargo models."""

from __future__ import annotations

from datetime import datetime

from shipyard_neo.types._base import BayModel


class CargoInfo(BayModel):
    """A cargo: the persistent volume mounted at ``/workspace``."""

    id: str
    managed: bool
    """Created with (and deleted with) a sandbox."""
    managed_by_sandbox_id: str | None
    backend: str
    size_limit_mb: int
    created_at: datetime
    last_accessed_at: datetime


class CargoList(BayModel):
    """One page of cargos (ids ascending); pass ``next_cursor`` for the next."""

    items: list[CargoInfo]
    next_cursor: str | None
