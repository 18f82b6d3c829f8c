"""The skill lifecycle: payloads, candidates, evaluations, releases, rollback, health."""

from __future__ import annotations

import uuid

import pytest

from shipyard_neo import (
    BayClient,
    ConflictError,
    NotFoundError,
    Sandbox,
    SkillCandidateStatus,
    SkillReleaseStage,
    ValidationError,
)


async def test_payloads(client: BayClient) -> None:
    created = await client.skills.create_payload(payload={"steps": ["a", "b"]}, kind="recipe")
    assert created.payload_ref.startswith("blob:blob-") and created.kind == "recipe"
    stored = await client.skills.get_payload(created.payload_ref)
    assert stored.payload == {"steps": ["a", "b"]} and stored.kind == "recipe"
    from_text = await client.skills.create_payload(payload="[1, 2]")
    assert (await client.skills.get_payload(from_text.payload_ref)).payload == [1, 2]
    with pytest.raises(ValueError, match="object or array"):
        await client.skills.create_payload(payload="3")
    with pytest.raises(ValidationError):
        await client.skills.get_payload("not-a-blob-ref")
    with pytest.raises(NotFoundError):
        await client.skills.get_payload("blob:blob-000000000000")


async def test_candidate_release_rollback_health(
    client: BayClient, shared_sandbox: Sandbox
) -> None:
    skills = client.skills
    key = "skill-" + uuid.uuid4().hex[:8]
    run = await shared_sandbox.python.exec("print('step')", tags=f"release-test,{key}")
    payload = await skills.create_payload(payload={"code": "print('step')"})

    first = await skills.create_candidate(
        skill_key=key,
        source_execution_ids=[run.execution_id],
        scenario_key="demo",
        payload_ref=payload.payload_ref,
        summary="prints a step",
        preconditions={"python": True},
    )
    assert first.status is SkillCandidateStatus.DRAFT and first.source_execution_ids == [
        run.execution_id
    ]
    assert (await skills.get_candidate(first.id)).summary == "prints a step"
    listed = await skills.list_candidates(skill_key=key)
    assert listed.total == 1 and listed.items[0].id == first.id

    with pytest.raises(ConflictError):
        await skills.promote_candidate(first.id)  # no passing evaluation yet
    evaluation = await skills.evaluate_candidate(
        first.id, passed=True, score=0.97, benchmark_id="bench-1", report={"replay_success": 1.0}
    )
    assert evaluation.passed and evaluation.score == 0.97 and evaluation.candidate_id == first.id
    assert (await skills.get_candidate(first.id)).status is SkillCandidateStatus.EVALUATING
    v1 = await skills.promote_candidate(first.id, stage=SkillReleaseStage.STABLE)
    assert v1.version == 1 and v1.is_active and v1.stage is SkillReleaseStage.STABLE

    second = await skills.create_candidate(skill_key=key, source_execution_ids=[run.execution_id])
    await skills.evaluate_candidate(second.id, passed=True)
    v2 = await skills.promote_candidate(
        second.id, upgrade_of_release_id=v1.id, upgrade_reason="better", change_summary="v2"
    )
    assert v2.version == 2 and v2.stage is SkillReleaseStage.CANARY
    active = await skills.list_releases(skill_key=key, active_only=True)
    assert [r.id for r in active.items] == [v2.id]
    canaries = await skills.list_releases(skill_key=key, stage="canary")
    assert [r.id for r in canaries.items] == [v2.id]

    health = await skills.get_release_health(v2.id)
    assert health.release_id == v2.id and health.skill_key == key
    assert 0 <= health.success_rate <= 1 and health.thresholds.success_drop > 0

    with pytest.raises(ConflictError):
        await skills.delete_candidate(second.id)  # an active release uses it
    rolled = await skills.rollback_release(v2.id)
    assert rolled.version == 3 and rolled.rollback_of == v2.id and rolled.candidate_id == first.id
    assert (await skills.get_candidate(second.id)).status is SkillCandidateStatus.ROLLED_BACK

    deleted = await skills.delete_release(rolled.id, reason="cleanup")
    assert deleted.id == rolled.id and deleted.delete_reason == "cleanup"
    gone = await skills.delete_candidate(second.id, reason="superseded")
    assert gone.id == second.id
    with pytest.raises(NotFoundError):
        await skills.get_candidate(second.id)


async def test_rejections_and_bad_input(client: BayClient, shared_sandbox: Sandbox) -> None:
    skills = client.skills
    run = await shared_sandbox.shell.exec("true")
    candidate = await skills.create_candidate(
        skill_key="rejected-skill", source_execution_ids=[run.execution_id]
    )
    await skills.evaluate_candidate(candidate.id, passed=False, report="flaky")
    assert (await skills.get_candidate(candidate.id)).status is SkillCandidateStatus.REJECTED
    rejected = await skills.list_candidates(
        status=SkillCandidateStatus.REJECTED, skill_key="rejected-skill"
    )
    assert candidate.id in {c.id for c in rejected.items}
    with pytest.raises(ValidationError):
        await skills.create_candidate(skill_key="x", source_execution_ids=[])
    with pytest.raises(ValidationError):
        await skills.create_candidate(skill_key="x", source_execution_ids=["exec-000000000000"])
    with pytest.raises(ValidationError):
        await skills.list_candidates(status="bogus")
    unique = "stage-" + uuid.uuid4().hex[:8]
    ok = await skills.create_candidate(skill_key=unique, source_execution_ids=[run.execution_id])
    await skills.evaluate_candidate(ok.id, passed=True)
    with pytest.raises(ValidationError):
        await skills.promote_candidate(ok.id, stage="production")
    first_release = await skills.promote_candidate(ok.id)
    with pytest.raises(ConflictError):
        await skills.rollback_release(first_release.id)  # nothing earlier to restore
