"""Profile models."""

from __future__ import annotations

from typing import Any

from shipyard_neo.types._base import BayModel


class ProfileResources(BayModel):
    """Resources of a profile's sandboxes."""

    cpus: float
    memory: str


class ProfileInfo(BayModel):
    """A sandbox profile (image, resources, capabilities)."""

    id: str
    image: str
    resources: ProfileResources
    capabilities: list[str]
    idle_timeout: int
    """Seconds without activity before the session is reclaimed."""
    description: str | None
    """Only with ``detail=True``."""
    containers: list[dict[str, Any]] | None
    """Only with ``detail=True``."""


class ProfileList(BayModel):
    """The profiles Bay offers."""

    items: list[ProfileInfo]
