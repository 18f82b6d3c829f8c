"""Filesystem models."""

from __future__ import annotations

from shipyard_neo.types._base import BayModel


class FileInfo(BayModel):
    """A directory entry."""

    name: str
    path: str
    """Absolute inside the sandbox (``/workspace/...``)."""
    is_file: bool
    is_dir: bool
    size: int | None
    modified_time: float
    """Epoch seconds."""


class DirListing(BayModel):
    """A directory's entries: directories first, then by lowercase name."""

    entries: list[FileInfo]


class FileContent(BayModel):
    """A text file's content."""

    content: str


class UploadResult(BayModel):
    """Result of an upload."""

    status: str
    path: str
    """The normalised target path."""
    size: float
    """Bytes written."""


class EditResult(BayModel):
    """Result of a text replacement."""

    status: str
    replacements: int
