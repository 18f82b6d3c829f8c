"""Sandbox models."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from shipyard_neo.types._base import BayModel


class SandboxStatus(str, Enum):
    """A sandbox's status, computed by Bay on read."""

    EXPIRED = "expired"
    """The TTL passed; capability calls fail with ``SandboxExpiredError``."""
    IDLE = "idle"
    """No live session (compute starts on the next capability call)."""
    STARTING = "starting"
    """A session is starting."""
    READY = "ready"
    """A session is running."""
    FAILED = "failed"
    """The last session start failed."""


class ContainerInfo(BayModel):
    """One container of a live session (only in ``get_sandbox`` answers)."""

    name: str
    runtime_type: str
    status: str
    version: str | None
    capabilities: list[str]
    healthy: bool


class SandboxInfo(BayModel):
    """A sandbox as Bay describes it."""

    id: str
    status: SandboxStatus
    profile: str
    cargo_id: str
    capabilities: list[str]
    created_at: datetime
    expires_at: datetime | None
    """When the TTL ends (``None``: never)."""
    idle_expires_at: datetime | None
    """When the idle session will be reclaimed (``None``: no session)."""
    containers: list[ContainerInfo] | None


class SandboxList(BayModel):
    """One page of sandboxes (ids ascending); pass ``next_cursor`` for the next."""

    items: list[SandboxInfo]
    next_cursor: str | None


class HealthInfo(BayModel):
    """``GET /health``."""

    status: str
    version: str
