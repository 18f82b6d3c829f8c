"""Execution history models."""

from __future__ import annotations

from datetime import datetime

from shipyard_neo.types._base import BayModel


class ExecutionHistoryEntry(BayModel):
    """One recorded execution."""

    id: str
    session_id: str | None
    exec_type: str
    """``python``, ``shell``, ``browser`` or ``browser_batch``."""
    code: str
    success: bool
    execution_time_ms: int
    output: str | None
    error: str | None
    payload_ref: str | None
    description: str | None
    tags: str | None
    """Normalised tags joined with commas (``"etl,good"``)."""
    notes: str | None
    created_at: datetime


class ExecutionHistoryList(BayModel):
    """One page of history entries, newest first, with the total count."""

    entries: list[ExecutionHistoryEntry]
    total: int
