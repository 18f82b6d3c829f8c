"""Typed models of Bay's API (pydantic v2), checked against ``/openapi.json`` in CI."""

from shipyard_neo.types._base import BayModel, NoContent, StatusResponse
from shipyard_neo.types.admin import GCRunResult, GCStatus, GCTaskName, GCTaskResult, GCTaskStatus
from shipyard_neo.types.cargos import CargoInfo, CargoList
from shipyard_neo.types.execution import (
    PythonExecData,
    PythonExecResult,
    PythonOutput,
    RichOutput,
    ShellExecResult,
)
from shipyard_neo.types.files import DirListing, EditResult, FileContent, FileInfo, UploadResult
from shipyard_neo.types.history import ExecutionHistoryEntry, ExecutionHistoryList
from shipyard_neo.types.processes import (
    ProcessInfo,
    ProcessList,
    ProcessLogEvent,
    ProcessLogs,
    ProcessStatus,
    TerminalTicket,
)
from shipyard_neo.types.profiles import ProfileInfo, ProfileList, ProfileResources
from shipyard_neo.types.sandboxes import (
    ContainerInfo,
    HealthInfo,
    SandboxInfo,
    SandboxList,
    SandboxStatus,
)
from shipyard_neo.types.skills import (
    ReleaseHealthThresholds,
    SkillCandidateInfo,
    SkillCandidateList,
    SkillCandidateStatus,
    SkillDeleteInfo,
    SkillEvaluationInfo,
    SkillPayloadCreateInfo,
    SkillPayloadInfo,
    SkillReleaseHealth,
    SkillReleaseInfo,
    SkillReleaseList,
    SkillReleaseStage,
)

__all__ = [
    "BayModel",
    "CargoInfo",
    "CargoList",
    "ContainerInfo",
    "DirListing",
    "EditResult",
    "ExecutionHistoryEntry",
    "ExecutionHistoryList",
    "FileContent",
    "FileInfo",
    "GCRunResult",
    "GCStatus",
    "GCTaskName",
    "GCTaskResult",
    "GCTaskStatus",
    "HealthInfo",
    "NoContent",
    "ProcessInfo",
    "ProcessList",
    "ProcessLogEvent",
    "ProcessLogs",
    "ProcessStatus",
    "ProfileInfo",
    "ProfileList",
    "ProfileResources",
    "PythonExecData",
    "PythonExecResult",
    "PythonOutput",
    "ReleaseHealthThresholds",
    "RichOutput",
    "SandboxInfo",
    "SandboxList",
    "SandboxStatus",
    "ShellExecResult",
    "SkillCandidateInfo",
    "SkillCandidateList",
    "SkillCandidateStatus",
    "SkillDeleteInfo",
    "SkillEvaluationInfo",
    "SkillPayloadCreateInfo",
    "SkillPayloadInfo",
    "SkillReleaseHealth",
    "SkillReleaseInfo",
    "SkillReleaseList",
    "SkillReleaseStage",
    "StatusResponse",
    "TerminalTicket",
    "UploadResult",
]
