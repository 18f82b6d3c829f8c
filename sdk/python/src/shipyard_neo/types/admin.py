"""Admin (garbage collection) models."""

from __future__ import annotations

from typing import Literal

from shipyard_neo.types._base import BayModel

GCTaskName = Literal["idle_session", "expired_sandbox", "orphan_cargo", "orphan_runtime"]
"""The GC tasks Bay knows."""


class GCTaskStatus(BayModel):
    """Whether one GC task is enabled."""

    enabled: bool


class GCStatus(BayModel):
    """The garbage collector's state."""

    enabled: bool
    is_running: bool
    instance_id: str
    interval_seconds: int
    tasks: dict[str, GCTaskStatus]


class GCTaskResult(BayModel):
    """What one GC task did."""

    task_name: GCTaskName
    cleaned_count: int
    skipped_count: int
    errors: list[str]


class GCRunResult(BayModel):
    """Result of a GC run."""

    results: list[GCTaskResult]
    total_cleaned: int
    total_errors: int
    duration_ms: int
