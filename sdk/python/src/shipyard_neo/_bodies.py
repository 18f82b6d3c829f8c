"""Request bodies, one model per JSON body Bay accepts.

Every JSON request the SDK sends is one of these, serialised with
``exclude_none``; the OpenAPI drift test compares each with the document's
request schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shipyard_neo.types.admin import GCTaskName

Tags = str | list[str] | None
"""Tags as a comma-separated string or a list."""

Signal = Literal["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"]
"""Signals a background process can be sent."""


class Body(BaseModel):
    """Base of request bodies: unknown fields are a programming error."""

    model_config = ConfigDict(extra="forbid")

    def to_json(self) -> dict[str, Any]:
        """The JSON object to send (``None`` fields left out)."""
        return self.model_dump(mode="json", exclude_none=True)


class CreateSandboxBody(Body):
    profile: str = "python-default"
    cargo_id: str | None = None
    ttl: int | None = None


class ExtendTTLBody(Body):
    extend_by: int


class PythonExecBody(Body):
    code: str
    timeout: int = 30
    include_code: bool = False
    description: str | None = None
    tags: Tags = None


class ShellExecBody(Body):
    command: str
    timeout: int = 30
    cwd: str | None = None
    env: dict[str, str] | None = None
    include_code: bool = False
    description: str | None = None
    tags: Tags = None


class WriteFileBody(Body):
    path: str
    content: str
    encoding: Literal["utf-8", "base64"] = "utf-8"


class EditFileBody(Body):
    path: str
    old_string: str
    new_string: str
    replace_all: bool = False


class StartProcessBody(Body):
    command: str
    cwd: str | None = None
    env: dict[str, str] | None = None


class StdinBody(Body):
    data: str


class KillBody(Body):
    signal: Signal = "SIGTERM"


class AnnotateBody(Body):
    description: str | None = None
    tags: Tags = None
    notes: str | None = None


class CreateCargoBody(Body):
    size_limit_mb: int | None = None


class CreatePayloadBody(Body):
    payload: dict[str, Any] | list[Any]
    kind: str = "generic"


class CreateCandidateBody(Body):
    skill_key: str
    source_execution_ids: list[str]
    scenario_key: str | None = None
    payload_ref: str | None = None
    summary: str | None = None
    usage_notes: str | None = None
    preconditions: dict[str, Any] | None = None
    postconditions: dict[str, Any] | None = None


class EvaluateBody(Body):
    passed: bool
    score: float | None = None
    benchmark_id: str | None = None
    report: str | dict[str, Any] | None = None


class PromoteBody(Body):
    stage: str = "canary"
    upgrade_of_release_id: str | None = None
    upgrade_reason: str | None = None
    change_summary: str | None = None


class SoftDeleteBody(Body):
    reason: str | None = None


class RunGCBody(Body):
    tasks: list[GCTaskName] | None = None
