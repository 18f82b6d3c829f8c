"""``client.skills``: the skill lifecycle.

Payloads, candidates, evaluations, releases, rollback and release health.
"""

from __future__ import annotations

import json
from typing import Any

from shipyard_neo import _routes as r
from shipyard_neo._bodies import (
    CreateCandidateBody,
    CreatePayloadBody,
    EvaluateBody,
    PromoteBody,
    SoftDeleteBody,
)
from shipyard_neo._transport import Transport
from shipyard_neo.types import (
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


def _value(v: SkillCandidateStatus | SkillReleaseStage | str | None) -> str | None:
    return v.value if isinstance(v, (SkillCandidateStatus, SkillReleaseStage)) else v


class SkillManager:
    """Turns recorded executions into reusable, versioned skills.

    Flow: executions → :meth:`create_candidate` → :meth:`evaluate_candidate`
    → :meth:`promote_candidate` (a release) → :meth:`get_release_health` /
    :meth:`rollback_release`.
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def create_payload(
        self, *, payload: dict[str, Any] | list[Any] | str, kind: str = "generic"
    ) -> SkillPayloadCreateInfo:
        """Store a JSON object or array (or a JSON string of one); returns its ``blob:`` ref."""
        value: Any = json.loads(payload) if isinstance(payload, str) else payload
        if not isinstance(value, (dict, list)):
            raise ValueError("payload must be a JSON object or array")
        return await self._t.call(
            r.CREATE_PAYLOAD, body=CreatePayloadBody(payload=value, kind=kind)
        )

    async def get_payload(self, payload_ref: str) -> SkillPayloadInfo:
        """A stored payload by its ``blob:`` reference."""
        return await self._t.call(r.GET_PAYLOAD, path={"payload_ref": payload_ref})

    async def create_candidate(
        self,
        *,
        skill_key: str,
        source_execution_ids: list[str],
        scenario_key: str | None = None,
        payload_ref: str | None = None,
        summary: str | None = None,
        usage_notes: str | None = None,
        preconditions: dict[str, Any] | None = None,
        postconditions: dict[str, Any] | None = None,
    ) -> SkillCandidateInfo:
        """Create a candidate from executions of yours.

        Raises:
            ValidationError: Blank ``skill_key``, no ids, or an id that is not
                one of your executions.

        """
        body = CreateCandidateBody(
            skill_key=skill_key,
            source_execution_ids=source_execution_ids,
            scenario_key=scenario_key,
            payload_ref=payload_ref,
            summary=summary,
            usage_notes=usage_notes,
            preconditions=preconditions,
            postconditions=postconditions,
        )
        return await self._t.call(r.CREATE_CANDIDATE, body=body)

    async def list_candidates(
        self,
        *,
        status: SkillCandidateStatus | str | None = None,
        skill_key: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> SkillCandidateList:
        """One page of candidates, newest first."""
        return await self._t.call(
            r.LIST_CANDIDATES,
            query={
                "status": _value(status),
                "skill_key": skill_key,
                "limit": limit,
                "offset": offset,
            },
        )

    async def get_candidate(self, candidate_id: str) -> SkillCandidateInfo:
        """One candidate."""
        return await self._t.call(r.GET_CANDIDATE, path={"id": candidate_id})

    async def evaluate_candidate(
        self,
        candidate_id: str,
        *,
        passed: bool,
        score: float | None = None,
        benchmark_id: str | None = None,
        report: str | dict[str, Any] | None = None,
    ) -> SkillEvaluationInfo:
        """Record an evaluation; ``passed=False`` rejects the candidate.

        ``report`` (text or an object) may carry ``replay_success``,
        ``error_rate``, ``samples`` and ``p95_duration``, used as the health
        baseline of a first release.
        """
        body = EvaluateBody(passed=passed, score=score, benchmark_id=benchmark_id, report=report)
        return await self._t.call(r.EVALUATE_CANDIDATE, path={"id": candidate_id}, body=body)

    async def promote_candidate(
        self,
        candidate_id: str,
        *,
        stage: SkillReleaseStage | str = SkillReleaseStage.CANARY,
        upgrade_of_release_id: str | None = None,
        upgrade_reason: str | None = None,
        change_summary: str | None = None,
    ) -> SkillReleaseInfo:
        """Release a candidate that passed an evaluation; the release becomes active.

        Raises:
            ConflictError: The candidate has no passing evaluation.

        """
        body = PromoteBody(
            stage=_value(stage) or "canary",
            upgrade_of_release_id=upgrade_of_release_id,
            upgrade_reason=upgrade_reason,
            change_summary=change_summary,
        )
        return await self._t.call(r.PROMOTE_CANDIDATE, path={"id": candidate_id}, body=body)

    async def delete_candidate(
        self, candidate_id: str, *, reason: str | None = None
    ) -> SkillDeleteInfo:
        """Soft-delete a candidate.

        Raises:
            ConflictError: An active release uses it.

        """
        return await self._t.call(
            r.DELETE_CANDIDATE, path={"id": candidate_id}, body=SoftDeleteBody(reason=reason)
        )

    async def list_releases(
        self,
        *,
        skill_key: str | None = None,
        active_only: bool = False,
        stage: SkillReleaseStage | str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> SkillReleaseList:
        """One page of releases, newest first."""
        return await self._t.call(
            r.LIST_RELEASES,
            query={
                "skill_key": skill_key,
                "active_only": True if active_only else None,
                "stage": _value(stage),
                "limit": limit,
                "offset": offset,
            },
        )

    async def rollback_release(self, release_id: str) -> SkillReleaseInfo:
        """Restore the newest earlier release of the key as a new active version.

        Raises:
            ConflictError: There is no earlier release.

        """
        return await self._t.call(r.ROLLBACK_RELEASE, path={"id": release_id})

    async def delete_release(
        self, release_id: str, *, reason: str | None = None
    ) -> SkillDeleteInfo:
        """Soft-delete a release (deactivating it when active)."""
        return await self._t.call(
            r.DELETE_RELEASE, path={"id": release_id}, body=SoftDeleteBody(reason=reason)
        )

    async def get_release_health(self, release_id: str) -> SkillReleaseHealth:
        """Health of a release over its window against its baseline."""
        return await self._t.call(r.RELEASE_HEALTH, path={"id": release_id})
