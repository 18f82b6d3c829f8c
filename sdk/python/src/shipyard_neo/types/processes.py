"""Background process and terminal models."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from shipyard_neo.types._base import BayModel


class ProcessStatus(str, Enum):
    """Lifecycle of a background process."""

    RUNNING = "running"
    EXITED = "exited"
    KILLED = "killed"


class ProcessInfo(BayModel):
    """A background process."""

    process_id: str
    pid: int
    command: str
    status: ProcessStatus
    exit_code: int | None
    started_at: str
    ended_at: str | None


class ProcessList(BayModel):
    """The processes of a sandbox's current session."""

    items: list[ProcessInfo]


class ProcessLogs(BayModel):
    """Output after an offset; ask again from ``next_offset`` for more."""

    stdout: str
    stderr: str
    next_offset: int
    status: str


class ProcessLogEvent(BayModel):
    """One event of a followed log: output (``stdout``/``stderr``) or the final ``exit``.

    ``offset`` is the byte offset (on the process's single output axis) just
    after ``text``; resuming from it loses and repeats nothing.
    """

    type: Literal["stdout", "stderr", "exit"]
    text: str = ""
    offset: int | None = None
    exit_code: int | None = None


class TerminalTicket(BayModel):
    """A single-use ticket for opening the terminal WebSocket without a header."""

    ticket: str
    expires_in: int
