"""Sandboxes, profiles, health, admin and auth against the real Bay."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shipyard_neo import (
    BayClient,
    ConflictError,
    NotFoundError,
    Sandbox,
    SandboxExpiredError,
    SandboxStatus,
    SandboxTTLInfiniteError,
    UnauthorizedError,
    ValidationError,
)
from tests.conftest import BayServer


async def test_health_and_profiles(client: BayClient) -> None:
    health = await client.health()
    assert health.status == "ok" and health.version
    profiles = await client.list_profiles()
    default = next(p for p in profiles.items if p.id == "python-default")
    assert {"python", "shell", "filesystem"} <= set(default.capabilities)
    assert default.description is None and default.idle_timeout > 0
    detailed = await client.list_profiles(detail=True)
    assert any(p.containers is not None for p in detailed.items)


async def test_create_get_list_and_delete(client: BayClient) -> None:
    sb = await client.create_sandbox(ttl=600)
    assert sb.id.startswith("sandbox-") and sb.profile == "python-default"
    assert sb.expires_at is not None and sb.cargo_id.startswith("ws-")
    again = await client.get_sandbox(sb.id)
    assert again.id == sb.id and again.created_at == sb.created_at
    page = await client.list_sandboxes(limit=200)
    assert sb.id in {s.id for s in page.items}
    seen = [s.id async for s in client.iter_sandboxes(page_size=1)]
    assert sb.id in seen and seen == sorted(seen)
    await sb.delete()
    await sb.delete()  # idempotent
    with pytest.raises(NotFoundError):
        await client.get_sandbox(sb.id)


async def test_sandbox_context_manager_deletes(client: BayClient) -> None:
    async with await client.create_sandbox() as sb:
        assert sb.expires_at is None
        sandbox_id = sb.id
    with pytest.raises(NotFoundError):
        await client.get_sandbox(sandbox_id)


async def test_refresh_keepalive_stop_and_containers(sandbox: Sandbox) -> None:
    await sandbox.python.exec("x = 1")
    info = await sandbox.refresh()
    assert info.status is SandboxStatus.READY and sandbox.status is SandboxStatus.READY
    assert sandbox.containers and sandbox.containers[0].healthy
    await sandbox.keepalive()
    assert (await sandbox.refresh()).idle_expires_at is not None
    await sandbox.stop()
    await sandbox.stop()  # idempotent
    assert (await sandbox.refresh()).status is SandboxStatus.IDLE
    result = await sandbox.python.exec("print('x' in globals())")
    assert result.output.strip() == "False"  # a new session: state is gone


async def test_extend_ttl_and_idempotency(client: BayClient, sandbox: Sandbox) -> None:
    before = sandbox.expires_at
    assert before is not None
    key = "ext-" + uuid.uuid4().hex
    first = await sandbox.extend_ttl(60, idempotency_key=key)
    assert first.expires_at is not None and first.expires_at > before
    replay = await sandbox.extend_ttl(60, idempotency_key=key)
    assert replay.expires_at == first.expires_at  # replayed, not extended twice
    with pytest.raises(ConflictError) as info:
        await sandbox.extend_ttl(61, idempotency_key=key)
    assert info.value.details.get("key") == key


@pytest.mark.xfail(
    reason="Bay bug: extend_ttl of a sandbox with a live session answers 500 on PGlite "
    "(db.query inside db.transaction in SandboxService.view)",
    strict=False,
)
async def test_extend_ttl_with_a_live_session(sandbox: Sandbox) -> None:
    await sandbox.shell.exec("true")
    assert (await sandbox.extend_ttl(60)).expires_at is not None


async def test_create_sandbox_idempotency_key_creates_one(client: BayClient) -> None:
    key = "create-" + uuid.uuid4().hex
    a = await client.create_sandbox(ttl=300, idempotency_key=key)
    b = await client.create_sandbox(ttl=300, idempotency_key=key)
    try:
        assert a.id == b.id
    finally:
        await a.delete()


async def test_ttl_errors(client: BayClient) -> None:
    forever = await client.create_sandbox()
    try:
        with pytest.raises(SandboxTTLInfiniteError):
            await forever.extend_ttl(10)
    finally:
        await forever.delete()
    short = await client.create_sandbox(ttl=1)
    try:
        await asyncio.sleep(1.5)
        with pytest.raises(SandboxExpiredError) as info:
            await short.python.exec("1")
        assert info.value.details["sandbox_id"] == short.id
        with pytest.raises(SandboxExpiredError):
            await short.extend_ttl(60)
        assert (await short.refresh()).status is SandboxStatus.EXPIRED
    finally:
        await short.delete()


async def test_validation_and_not_found(client: BayClient) -> None:
    with pytest.raises(ValidationError) as info:
        await client.create_sandbox(profile="no-such-profile")
    assert info.value.status == 400
    with pytest.raises(NotFoundError):
        await client.create_sandbox(cargo_id="ws-000000000000")
    with pytest.raises(NotFoundError):
        await client.get_sandbox("sandbox-000000000000")
    with pytest.raises(ValidationError) as schema:
        await client.list_sandboxes(limit=1000)
    assert schema.value.status == 422 and schema.value.details["issues"]


async def test_wrong_key_is_unauthorized(bay: BayServer) -> None:
    async with BayClient(bay.endpoint, "sk-wrong-key-0000000000") as bad:
        with pytest.raises(UnauthorizedError) as info:
            await bad.list_sandboxes()
    assert info.value.status == 401 and info.value.request_id


async def test_admin_gc(client: BayClient) -> None:
    status = await client.admin.gc_status()
    assert "idle_session" in status.tasks
    run = await client.admin.run_gc(["expired_sandbox"])
    assert [r.task_name for r in run.results] == ["expired_sandbox"]
    assert run.total_errors == 0


async def test_terminal_ticket_and_url(sandbox: Sandbox) -> None:
    ticket = await sandbox.create_terminal_ticket()
    assert ticket.ticket and ticket.expires_in > 0
    url = sandbox.terminal_url(cols=100, rows=30, ticket=ticket.ticket)
    assert url.startswith("ws://") and f"/v1/sandboxes/{sandbox.id}/terminal?" in url
    assert "cols=100" in url and f"ticket={ticket.ticket}" in url
