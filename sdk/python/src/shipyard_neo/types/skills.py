"""Skill lifecycle models: payloads, candidates, evaluations, releases, health."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Literal

from shipyard_neo.types._base import BayModel


class SkillCandidateStatus(str, Enum):
    """Lifecycle of a skill candidate."""

    DRAFT = "draft"
    EVALUATING = "evaluating"
    REJECTED = "rejected"
    PROMOTED = "promoted"
    ROLLED_BACK = "rolled_back"


class SkillReleaseStage(str, Enum):
    """Stage of a release."""

    CANARY = "canary"
    STABLE = "stable"


class SkillPayloadCreateInfo(BayModel):
    """A stored payload's reference (``blob:blob-…``)."""

    payload_ref: str
    kind: str


class SkillPayloadInfo(BayModel):
    """A stored payload."""

    payload_ref: str
    kind: str
    payload: Any = None


class SkillCandidateInfo(BayModel):
    """A skill candidate built from executions."""

    id: str
    skill_key: str
    scenario_key: str | None
    payload_ref: str | None
    skill_type: str
    summary: str | None
    usage_notes: str | None
    preconditions: dict[str, Any] | None
    postconditions: dict[str, Any] | None
    source_execution_ids: list[str]
    status: SkillCandidateStatus
    latest_score: float | None
    latest_pass: bool | None
    last_evaluated_at: datetime | None
    promotion_release_id: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class SkillCandidateList(BayModel):
    """One page of candidates, newest first, with the total count."""

    items: list[SkillCandidateInfo]
    total: int


class SkillEvaluationInfo(BayModel):
    """An evaluation of a candidate."""

    id: str
    candidate_id: str
    benchmark_id: str | None
    score: float | None
    passed: bool
    report: str | None
    evaluated_by: str
    created_at: datetime


class SkillReleaseInfo(BayModel):
    """A release of a skill."""

    id: str
    skill_key: str
    candidate_id: str
    version: int
    stage: SkillReleaseStage
    is_active: bool
    release_mode: str
    promoted_by: str
    promoted_at: datetime
    rollback_of: str | None
    health_window_end_at: datetime | None
    upgrade_of_release_id: str | None
    upgrade_reason: str | None
    change_summary: str | None


class SkillReleaseList(BayModel):
    """One page of releases, newest first, with the total count."""

    items: list[SkillReleaseInfo]
    total: int


class SkillDeleteInfo(BayModel):
    """Result of a soft delete (candidate or release)."""

    id: str
    deleted_at: datetime
    deleted_by: str | None
    delete_reason: str | None


class ReleaseHealthThresholds(BayModel):
    """Thresholds that decide ``should_rollback``."""

    success_drop: float
    error_rate_multiplier: float


class SkillReleaseHealth(BayModel):
    """Health of a release over its window, against a baseline."""

    release_id: str
    skill_key: str
    stage: SkillReleaseStage
    window_start_at: datetime
    window_end_at: datetime
    window_complete: bool
    samples: int
    success_rate: float
    error_rate: float
    p95_duration: int
    baseline_success_rate: float
    baseline_error_rate: float
    baseline_samples: int
    success_drop: float
    error_rate_multiplier: float
    healthy: bool
    should_rollback: bool
    rollback_reasons: list[Literal["success_rate_drop", "error_rate_regression"]]
    thresholds: ReleaseHealthThresholds
