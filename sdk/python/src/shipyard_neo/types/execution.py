"""Python and shell execution results."""

from __future__ import annotations

from typing import Any

from shipyard_neo.types._base import BayModel


class PythonOutput(BayModel):
    """Text and PNG images produced by a Python execution."""

    text: str
    images: list[dict[str, str]]
    """Each image as ``{"image/png": <base64>}``."""


class RichOutput(BayModel):
    """One rich output (``execute_result``, ``display_data``) with its MIME bundle."""

    type: str
    data: dict[str, Any]


class PythonExecData(BayModel):
    """The kernel's detailed answer."""

    execution_count: int | None
    output: PythonOutput
    outputs: list[RichOutput]


class PythonExecResult(BayModel):
    """Result of ``sandbox.python.exec``."""

    success: bool
    output: str
    """Stream text plus ``text/plain`` of results and displays, concatenated."""
    error: str | None
    """The traceback (or timeout message) when ``success`` is false."""
    data: PythonExecData
    execution_id: str
    execution_time_ms: int
    code: str | None
    """The code, when ``include_code=True``."""


class ShellExecResult(BayModel):
    """Result of ``sandbox.shell.exec``."""

    success: bool
    """``exit_code == 0``."""
    output: str
    """Standard output."""
    error: str | None
    """Standard error (or a runtime error), else ``None``."""
    exit_code: int
    """``-1`` when the command timed out."""
    execution_id: str
    execution_time_ms: int
    command: str | None
    """The command, when ``include_code=True``."""
