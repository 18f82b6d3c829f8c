"""Background processes: start, list, logs by offset, follow (with reconnects), stdin, kill."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from shipyard_neo import (
    BayClient,
    ConflictError,
    NotFoundError,
    ProcessStatus,
    Sandbox,
)
from tests.conftest import BayServer

SLOW = "for i in 1 2 3 4 5 6; do echo line$i; echo err$i >&2; sleep 0.15; done; exit 4"
EXPECTED_OUT = "".join(f"line{i}\n" for i in range(1, 7))
EXPECTED_ERR = "".join(f"err{i}\n" for i in range(1, 7))


async def _until_done(sandbox: Sandbox, process_id: str) -> ProcessStatus:
    for _ in range(100):
        info = await sandbox.processes.get(process_id)
        if info.status is not ProcessStatus.RUNNING:
            return info.status
        await asyncio.sleep(0.1)
    raise AssertionError("the process did not end")


async def test_start_list_get_logs(shared_sandbox: Sandbox) -> None:
    procs = shared_sandbox.processes
    started = await procs.start("echo out; echo err >&2; exit 2", env={"X": "1"}, cwd=".")
    assert started.process_id.startswith("proc-") and started.pid > 0
    assert started.status is ProcessStatus.RUNNING and started.exit_code is None
    assert started.process_id in {p.process_id for p in await procs.list()}
    assert await _until_done(shared_sandbox, started.process_id) is ProcessStatus.EXITED
    info = await procs.get(started.process_id)
    assert info.exit_code == 2 and info.ended_at is not None
    logs = await procs.logs(started.process_id)
    assert (logs.stdout, logs.stderr, logs.status) == ("out\n", "err\n", "exited")
    later = await procs.logs(started.process_id, offset=logs.next_offset)
    assert later.stdout == "" and later.stderr == ""
    with pytest.raises(NotFoundError):
        await procs.get("proc-000000000000")


async def test_follow_delivers_everything_then_exit(shared_sandbox: Sandbox) -> None:
    procs = shared_sandbox.processes
    p = await procs.start(SLOW)
    out, err, offsets = "", "", []
    async for ev in procs.follow(p.process_id):
        if ev.type == "exit":
            assert ev.exit_code == 4
            break
        assert ev.offset is not None
        offsets.append(ev.offset)
        if ev.type == "stdout":
            out += ev.text
        else:
            err += ev.text
    assert (out, err) == (EXPECTED_OUT, EXPECTED_ERR)
    assert offsets == sorted(offsets)
    # Resuming from an offset gives only what came after it.
    tail = [ev async for ev in procs.follow(p.process_id, offset=offsets[-2])]
    assert len(tail) == 2 and tail[0].offset == offsets[-1] and tail[1].type == "exit"


async def test_wait_with_callbacks(shared_sandbox: Sandbox) -> None:
    out: list[str] = []
    err: list[str] = []

    async def on_err(text: str) -> None:
        err.append(text)

    p = await shared_sandbox.processes.start(SLOW)
    code = await shared_sandbox.processes.wait(p.process_id, on_stdout=out.append, on_stderr=on_err)
    assert code == 4 and "".join(out) == EXPECTED_OUT and "".join(err) == EXPECTED_ERR


async def test_stdin_and_kill(shared_sandbox: Sandbox) -> None:
    procs = shared_sandbox.processes
    cat = await procs.start("cat")
    await procs.write_stdin(cat.process_id, "hello stdin\n")
    for _ in range(50):
        if (await procs.logs(cat.process_id)).stdout == "hello stdin\n":
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("cat did not echo")
    await procs.kill(cat.process_id, "SIGKILL")
    assert await _until_done(shared_sandbox, cat.process_id) is ProcessStatus.KILLED
    with pytest.raises(ConflictError):
        await procs.write_stdin(cat.process_id, "late\n")


class _DropFirstFollow(httpx.AsyncHTTPTransport):
    """Cuts the first followed log stream after its first chunk; records offsets asked."""

    def __init__(self) -> None:
        super().__init__()
        self.follow_offsets: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.url.path.endswith("/logs") and request.url.params.get("follow") == "true":
            self.follow_offsets.append(int(request.url.params.get("offset", "0")))
            if len(self.follow_offsets) == 1:
                return httpx.Response(
                    response.status_code,
                    headers=response.headers,
                    stream=_BreakAfterFirstChunk(response.stream),
                    extensions=response.extensions,
                )
        return response


class _BreakAfterFirstChunk(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream | httpx.AsyncByteStream) -> None:
        assert isinstance(inner, httpx.AsyncByteStream)
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk
            raise httpx.ReadError("simulated connection drop")

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_follow_reconnects_from_the_last_offset(bay: BayServer) -> None:
    transport = _DropFirstFollow()
    async with (
        BayClient(bay.endpoint, bay.token, transport=transport, retry_backoff=0.05) as c,
        await c.create_sandbox(ttl=300) as sb,
    ):
        p = await sb.processes.start(SLOW)
        out, err = "", ""
        async for ev in sb.processes.follow(p.process_id):
            if ev.type == "stdout":
                out += ev.text
            elif ev.type == "stderr":
                err += ev.text
            else:
                assert ev.exit_code == 4
    assert (out, err) == (EXPECTED_OUT, EXPECTED_ERR), "lost or repeated output"
    assert len(transport.follow_offsets) >= 2
    assert transport.follow_offsets[0] == 0 and transport.follow_offsets[1] > 0


async def test_breaking_out_of_follow_leaves_the_process_running(shared_sandbox: Sandbox) -> None:
    procs = shared_sandbox.processes
    p = await procs.start("echo first; sleep 30")
    async for ev in procs.follow(p.process_id):
        assert ev.text == "first\n"
        break
    assert (await procs.get(p.process_id)).status is ProcessStatus.RUNNING
    killed = await procs.kill(p.process_id)
    assert killed.process_id == p.process_id
