"""The blocking facade covers every family with the same names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from shipyard_neo import NotFoundError, SandboxStatus, SyncBayClient
from tests.conftest import BayServer


def test_sync_facade_end_to_end(bay: BayServer, tmp_path: Path) -> None:
    with SyncBayClient(bay.endpoint, bay.token) as client:
        assert client.health().status == "ok"
        assert client.list_profiles().items
        with client.create_sandbox(ttl=300) as sb:
            assert sb.status in (SandboxStatus.IDLE, SandboxStatus.READY)
            assert sb.extend_ttl(30).expires_at is not None
            out: list[str] = []
            result = sb.python.exec("for i in range(3): print(i)", on_stdout=out.append)
            assert result.success and "".join(out) == "0\n1\n2\n"
            sb.python.restart()
            assert sb.shell.exec("echo $0", env={}).exit_code == 0
            assert sb.refresh().status is SandboxStatus.READY and sb.containers

            fs = sb.filesystem
            fs.write_file("s/a.txt", "alpha")
            assert fs.read_file("s/a.txt") == "alpha"
            assert [e.name for e in fs.list_dir("s")] == ["a.txt"]
            assert fs.edit_file("s/a.txt", "alpha", "beta") == 1
            local = tmp_path / "up.bin"
            local.write_bytes(b"x" * 300_000)
            assert fs.upload("s/up.bin", local).size == 300_000
            assert fs.download("s/up.bin") == local.read_bytes()
            buf = io.BytesIO()
            assert fs.download_to("s/up.bin", buf) == 300_000
            for chunk in fs.iter_download("s/up.bin", chunk_size=1000):
                assert chunk == b"x" * len(chunk)
                break
            fs.delete("s")

            p = sb.processes.start("echo one; sleep 0.2; echo two")
            texts = [ev.text for ev in sb.processes.follow(p.process_id) if ev.type == "stdout"]
            assert "".join(texts) == "one\ntwo\n"
            assert sb.processes.wait(p.process_id) == 0
            assert p.process_id in {x.process_id for x in sb.processes.list()}
            assert sb.processes.logs(p.process_id).stdout == "one\ntwo\n"

            history = sb.get_execution_history()
            assert history.total == 2  # one python exec, one shell exec
            last = sb.get_last_execution(exec_type="shell")
            assert sb.annotate_execution(last.id, notes="n").notes == "n"
            assert sb.get_execution(last.id).id == last.id
            sb.keepalive()
            assert sb.create_terminal_ticket().ticket
            assert sb.terminal_url().startswith("ws://")
            assert sb.id in {s.id for s in client.iter_sandboxes()}
            assert client.get_sandbox(sb.id).id == sb.id
            sandbox_id = sb.id
        with pytest.raises(NotFoundError):
            client.get_sandbox(sandbox_id)

        cargo = client.cargos.create(size_limit_mb=32)
        assert client.cargos.get(cargo.id).size_limit_mb == 32
        assert cargo.id in {c.id for c in client.cargos.iter()}
        assert cargo.id in {c.id for c in client.cargos.list(limit=200).items}
        client.cargos.delete(cargo.id)

        ref = client.skills.create_payload(payload={"k": 1})
        assert client.skills.get_payload(ref.payload_ref).payload == {"k": 1}
        assert client.skills.list_releases(skill_key="none-such").total == 0
        assert client.admin.gc_status().tasks
        assert client.list_sandboxes(limit=1).items is not None
    with pytest.raises(RuntimeError, match="closed"):
        client.health()


def test_callbacks_must_not_reenter_the_sync_client(bay: BayServer) -> None:
    with SyncBayClient(bay.endpoint, bay.token) as client:
        sb = client.create_sandbox(ttl=120)
        try:
            with pytest.raises(RuntimeError, match="own callbacks"):
                sb.shell.exec("echo x", on_stdout=lambda _: client.health())
        finally:
            sb.delete()
        client.delete_sandbox(sb.id)  # idempotent
