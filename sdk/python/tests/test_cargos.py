"""External cargos: create (idempotent), list, attach to sandboxes, delete rules."""

from __future__ import annotations

import uuid

import pytest

from shipyard_neo import BayClient, ConflictError, NotFoundError


async def test_cargo_lifecycle(client: BayClient) -> None:
    key = "cargo-" + uuid.uuid4().hex
    cargo = await client.cargos.create(size_limit_mb=64, idempotency_key=key)
    assert cargo.id.startswith("ws-") and not cargo.managed and cargo.size_limit_mb == 64
    assert (await client.cargos.create(size_limit_mb=64, idempotency_key=key)).id == cargo.id
    assert (await client.cargos.get(cargo.id)).id == cargo.id
    listed = {c.id async for c in client.cargos.iter(page_size=1)}
    assert cargo.id in listed
    page = await client.cargos.list(limit=200)
    assert all(not c.managed for c in page.items)

    first = await client.create_sandbox(cargo_id=cargo.id, ttl=300)
    second = await client.create_sandbox(cargo_id=cargo.id, ttl=300)
    try:
        await first.filesystem.write_file("shared/state.txt", "persist-me")
        assert await second.filesystem.read_file("shared/state.txt") == "persist-me"
        with pytest.raises(ConflictError) as info:
            await client.cargos.delete(cargo.id)
        assert set(info.value.details["active_sandbox_ids"]) == {first.id, second.id}
    finally:
        await first.delete()
        await second.delete()
    third = await client.create_sandbox(cargo_id=cargo.id)
    assert await third.filesystem.read_file("shared/state.txt") == "persist-me"
    await third.delete()
    await client.cargos.delete(cargo.id)
    with pytest.raises(NotFoundError):
        await client.cargos.get(cargo.id)


async def test_managed_cargo_follows_its_sandbox(client: BayClient) -> None:
    sb = await client.create_sandbox(ttl=300)
    managed = await client.cargos.get(sb.cargo_id)
    assert managed.managed and managed.managed_by_sandbox_id == sb.id
    assert sb.cargo_id in {c.id for c in (await client.cargos.list(managed=True, limit=200)).items}
    with pytest.raises(ConflictError) as info:
        await client.cargos.delete(sb.cargo_id)
    assert info.value.details["managed_by_sandbox_id"] == sb.id
    await sb.delete()
    with pytest.raises(NotFoundError):
        await client.cargos.get(sb.cargo_id)
