"""Every HTTP route the SDK uses, in the OpenAPI document's own notation.

Each route names its method, path template, accepted query parameters,
request body model and response model. The transport accepts nothing else,
and the drift test compares each entry with ``/openapi.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from shipyard_neo import _bodies as b
from shipyard_neo import types as t

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Route(Generic[M]):
    """One operation of Bay's API."""

    method: str
    path: str
    response: type[M]
    """Model of the success answer (:class:`~shipyard_neo.types.NoContent` when not JSON)."""
    status: int = 200
    query: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    """The JSON body model (``None``: no JSON body)."""
    multipart: bool = False

    def fill(self, **params: str) -> str:
        """The concrete path with ``{params}`` URI-encoded."""
        out = self.path
        for name, value in params.items():
            if not value:
                raise ValueError(f"empty path parameter {name!r}")
            out = out.replace("{" + name + "}", quote(value, safe=""))
        if "{" in out:
            raise ValueError(f"missing path parameters in {self.path}")
        return out


def _r(
    method: str,
    path: str,
    response: type[M],
    *,
    status: int = 200,
    query: tuple[str, ...] = (),
    body: type[BaseModel] | None = None,
    multipart: bool = False,
) -> Route[M]:
    return Route(method, path, response, status, query, body, multipart)


SB = "/v1/sandboxes/{id}"
PROC = SB + "/processes/{process_id}"
PAGE = ("limit", "cursor")
OFFSET_PAGE = ("limit", "offset")

HEALTH = _r("GET", "/health", t.HealthInfo)
PROFILES = _r("GET", "/v1/profiles", t.ProfileList, query=("detail",))

CREATE_SANDBOX = _r("POST", "/v1/sandboxes", t.SandboxInfo, status=201, body=b.CreateSandboxBody)
LIST_SANDBOXES = _r("GET", "/v1/sandboxes", t.SandboxList, query=(*PAGE, "status"))
GET_SANDBOX = _r("GET", SB, t.SandboxInfo)
DELETE_SANDBOX = _r("DELETE", SB, t.NoContent, status=204)
EXTEND_TTL = _r("POST", SB + "/extend_ttl", t.SandboxInfo, body=b.ExtendTTLBody)
KEEPALIVE = _r("POST", SB + "/keepalive", t.StatusResponse)
STOP_SANDBOX = _r("POST", SB + "/stop", t.StatusResponse)

PYTHON_EXEC = _r("POST", SB + "/python/exec", t.PythonExecResult, body=b.PythonExecBody)
PYTHON_INTERRUPT = _r("POST", SB + "/python/interrupt", t.StatusResponse)
PYTHON_RESTART = _r("POST", SB + "/python/restart", t.StatusResponse)
SHELL_EXEC = _r("POST", SB + "/shell/exec", t.ShellExecResult, body=b.ShellExecBody)

READ_FILE = _r("GET", SB + "/filesystem/files", t.FileContent, query=("path",))
WRITE_FILE = _r("PUT", SB + "/filesystem/files", t.StatusResponse, body=b.WriteFileBody)
DELETE_FILE = _r("DELETE", SB + "/filesystem/files", t.StatusResponse, query=("path",))
LIST_DIR = _r("GET", SB + "/filesystem/directories", t.DirListing, query=("path", "show_hidden"))
EDIT_FILE = _r("POST", SB + "/filesystem/edit", t.EditResult, body=b.EditFileBody)
DOWNLOAD = _r("GET", SB + "/filesystem/download", t.NoContent, query=("path",))
UPLOAD = _r("POST", SB + "/filesystem/upload", t.UploadResult, multipart=True)

START_PROCESS = _r("POST", SB + "/processes", t.ProcessInfo, status=201, body=b.StartProcessBody)
LIST_PROCESSES = _r("GET", SB + "/processes", t.ProcessList)
GET_PROCESS = _r("GET", PROC, t.ProcessInfo)
PROCESS_LOGS = _r("GET", PROC + "/logs", t.ProcessLogs, query=("offset", "follow"))
PROCESS_STDIN = _r("POST", PROC + "/stdin", t.StatusResponse, body=b.StdinBody)
KILL_PROCESS = _r("POST", PROC + "/kill", t.ProcessInfo, body=b.KillBody)

TERMINAL_TICKET = _r("POST", SB + "/terminal/tickets", t.TerminalTicket)
TERMINAL = _r("GET", SB + "/terminal", t.NoContent, status=101, query=("cols", "rows", "ticket"))

LIST_HISTORY = _r(
    "GET",
    SB + "/history",
    t.ExecutionHistoryList,
    query=(*OFFSET_PAGE, "exec_type", "success_only", "tags", "has_notes", "has_description"),
)
LAST_HISTORY = _r("GET", SB + "/history/last", t.ExecutionHistoryEntry, query=("exec_type",))
GET_HISTORY = _r("GET", SB + "/history/{execution_id}", t.ExecutionHistoryEntry)
ANNOTATE_HISTORY = _r(
    "PATCH", SB + "/history/{execution_id}", t.ExecutionHistoryEntry, body=b.AnnotateBody
)

CREATE_CARGO = _r("POST", "/v1/cargos", t.CargoInfo, status=201, body=b.CreateCargoBody)
LIST_CARGOS = _r("GET", "/v1/cargos", t.CargoList, query=(*PAGE, "managed"))
GET_CARGO = _r("GET", "/v1/cargos/{id}", t.CargoInfo)
DELETE_CARGO = _r("DELETE", "/v1/cargos/{id}", t.NoContent, status=204)

SK = "/v1/skills"
CREATE_PAYLOAD = _r(
    "POST", SK + "/payloads", t.SkillPayloadCreateInfo, status=201, body=b.CreatePayloadBody
)
GET_PAYLOAD = _r("GET", SK + "/payloads/{payload_ref}", t.SkillPayloadInfo)
CREATE_CANDIDATE = _r(
    "POST", SK + "/candidates", t.SkillCandidateInfo, status=201, body=b.CreateCandidateBody
)
LIST_CANDIDATES = _r(
    "GET", SK + "/candidates", t.SkillCandidateList, query=(*OFFSET_PAGE, "status", "skill_key")
)
GET_CANDIDATE = _r("GET", SK + "/candidates/{id}", t.SkillCandidateInfo)
DELETE_CANDIDATE = _r("DELETE", SK + "/candidates/{id}", t.SkillDeleteInfo, body=b.SoftDeleteBody)
EVALUATE_CANDIDATE = _r(
    "POST", SK + "/candidates/{id}/evaluate", t.SkillEvaluationInfo, body=b.EvaluateBody
)
PROMOTE_CANDIDATE = _r(
    "POST", SK + "/candidates/{id}/promote", t.SkillReleaseInfo, body=b.PromoteBody
)
LIST_RELEASES = _r(
    "GET",
    SK + "/releases",
    t.SkillReleaseList,
    query=(*OFFSET_PAGE, "skill_key", "active_only", "stage"),
)
ROLLBACK_RELEASE = _r("POST", SK + "/releases/{id}/rollback", t.SkillReleaseInfo)
DELETE_RELEASE = _r("DELETE", SK + "/releases/{id}", t.SkillDeleteInfo, body=b.SoftDeleteBody)
RELEASE_HEALTH = _r("GET", SK + "/releases/{id}/health", t.SkillReleaseHealth)

GC_STATUS = _r("GET", "/v1/admin/gc/status", t.GCStatus)
GC_RUN = _r("POST", "/v1/admin/gc/run", t.GCRunResult, body=b.RunGCBody)

ALL_ROUTES: dict[str, Route[Any]] = {
    name: value for name, value in dict(globals()).items() if isinstance(value, Route)
}
"""Every route by its constant's name."""
