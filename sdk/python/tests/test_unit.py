"""Client-side behaviour that needs no Bay: configuration, errors, retries,
time limits, multipart bodies (httpx mock transports stand in for Bay)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from shipyard_neo import (
    BayClient,
    BayConnectionError,
    BayError,
    CargoFileNotFoundError,
    ClientTimeoutError,
    ConflictError,
    NotFoundError,
    RetryPolicy,
    SessionNotReadyError,
    ShipError,
    ValidationError,
)
from shipyard_neo._follow import _resume
from shipyard_neo._multipart import MultipartBody
from shipyard_neo._retry import retry_delay, retryable, safe_to_repeat
from shipyard_neo._routes import ALL_ROUTES, GET_PROCESS
from shipyard_neo.errors import error_from_envelope
from shipyard_neo.sandbox import Sandbox
from shipyard_neo.types import SandboxInfo

SANDBOX = {
    "id": "sandbox-000000000001",
    "status": "idle",
    "profile": "python-default",
    "cargo_id": "ws-000000000001",
    "capabilities": ["python"],
    "created_at": "2026-01-01T00:00:00Z",
    "expires_at": None,
    "idle_expires_at": None,
    "containers": None,
}


def envelope(code: str, status: int = 0, **details: object) -> dict[str, object]:
    err: dict[str, object] = {"code": code, "message": f"{code}!", "request_id": "rid-1"}
    if details:
        err["details"] = details
    return {"error": err}


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: object) -> BayClient:
    return BayClient(
        "http://bay.test",
        "key",
        transport=httpx.MockTransport(handler),
        retry_backoff=0.001,
        **kwargs,  # type: ignore[arg-type]
    )


# configuration


def test_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAY_ENDPOINT", "http://env.test:1234/")
    monkeypatch.setenv("BAY_TOKEN", "tok")
    monkeypatch.setenv("BAY_TIMEOUT", "12.5")
    monkeypatch.setenv("BAY_MAX_RETRIES", "7")
    c = BayClient()
    assert c.endpoint_url == "http://env.test:1234"
    assert c.config.token == "tok"
    assert c.config.timeout == 12.5
    assert c.config.retry.max_retries == 7
    explicit = BayClient("https://other.test", "k2", timeout=0, max_retries=0)
    assert explicit.config.token == "k2"
    assert explicit.config.timeout is None
    assert explicit.config.retry.max_retries == 0


def test_token_falls_back_to_bay_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAY_TOKEN", raising=False)
    monkeypatch.delenv("BAY_ENDPOINT", raising=False)
    monkeypatch.setenv("BAY_API_KEY", "from-api-key")
    c = BayClient()
    assert c.config.token == "from-api-key"
    assert c.endpoint_url == "http://127.0.0.1:8114"


def test_bad_endpoint_is_rejected() -> None:
    with pytest.raises(ValueError, match="http"):
        BayClient("localhost:8114", "k")


# errors


def test_envelope_maps_to_the_code_class() -> None:
    e = error_from_envelope(envelope("file_not_found", path="x"), status=404, request_id="h")
    assert isinstance(e, CargoFileNotFoundError)
    assert (e.code, e.status, e.request_id, e.details) == (
        "file_not_found",
        404,
        "rid-1",
        {"path": "x"},
    )
    assert e.status_code == 404
    assert "file_not_found" in str(e) and "rid-1" in str(e)
    v = error_from_envelope(envelope("validation_error"), status=422)
    assert isinstance(v, ValidationError) and v.status == 422


def test_unknown_code_and_non_envelope() -> None:
    e = error_from_envelope(envelope("brand_new"), status=418)
    assert type(e) is BayError and e.code == "brand_new" and e.status == 418
    n = error_from_envelope("<html>", status=404, request_id="r")
    assert isinstance(n, NotFoundError) and n.request_id == "r"
    s = error_from_envelope(envelope("session_not_ready", retry_after_ms=1500))
    assert isinstance(s, SessionNotReadyError) and s.status == 503 and s.retry_after == 1.5


# retry policy


def test_safe_to_repeat() -> None:
    assert safe_to_repeat("GET", False) and safe_to_repeat("put", False)
    assert safe_to_repeat("DELETE", False) and safe_to_repeat("POST", True)
    assert not safe_to_repeat("POST", False) and not safe_to_repeat("PATCH", False)


def test_retryable_failures() -> None:
    assert retryable(BayConnectionError("x")) and retryable(ClientTimeoutError("x"))
    assert retryable(ShipError("x")) and retryable(BayError("x", status=429))
    assert not retryable(NotFoundError("x")) and not retryable(ValueError())
    assert retryable(ConflictError("x", details={"hint": "retry later"}))
    assert not retryable(ConflictError("x", details={"hint": "use a new key"}))


def test_retry_delay_backoff_and_hints() -> None:
    p = RetryPolicy(max_retries=3, base_delay=0.5, max_delay=4)
    for attempt, (low, high) in enumerate([(0.25, 0.5), (0.5, 1), (1, 2), (2, 4), (2, 4)]):
        assert low <= retry_delay(p, attempt) <= high
    hinted = SessionNotReadyError("x", details={"retry_after_ms": 300})
    assert retry_delay(p, 5, hinted) == pytest.approx(0.3)
    assert retry_delay(p, 0, None, "2") == 2
    assert retry_delay(p, 0, None, "60") == 4


# transport behaviour


async def test_get_is_retried_until_success() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            return httpx.Response(503, json=envelope("session_not_ready", retry_after_ms=1))
        return httpx.Response(200, json=SANDBOX)

    async with mock_client(handler) as c:
        sb = await c.get_sandbox("sandbox-000000000001")
    assert sb.id == SANDBOX["id"] and len(calls) == 3


async def test_retries_give_up_after_max_retries() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(502, json=envelope("ship_error"))

    async with mock_client(handler, max_retries=2) as c:
        with pytest.raises(ShipError):
            await c.get_sandbox("sandbox-000000000001")
    assert len(calls) == 3


async def test_create_posts_send_one_idempotency_key_across_retries() -> None:
    keys: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("Idempotency-Key"))
        if len(keys) == 1:
            raise httpx.ConnectError("reset", request=request)
        return httpx.Response(201, json=SANDBOX)

    async with mock_client(handler) as c:
        await c.create_sandbox()
    assert len(keys) == 2 and keys[0] is not None and keys[0] == keys[1]


async def test_posts_without_key_are_not_retried() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(502, json=envelope("ship_error"))

    async with mock_client(handler) as c:
        with pytest.raises(ShipError):
            await c.skills.create_payload(payload={"a": 1})
    assert len(calls) == 1


async def test_non_retryable_errors_are_raised_at_once() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404, json=envelope("not_found"), headers={"X-Request-Id": "h"})

    async with mock_client(handler) as c:
        with pytest.raises(NotFoundError) as info:
            await c.cargos.get("ws-000000000001")
    assert len(calls) == 1 and info.value.request_id == "rid-1"


async def test_connection_failure_is_a_bay_connection_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with mock_client(handler, max_retries=1) as c:
        with pytest.raises(BayConnectionError) as info:
            await c.health()
    assert info.value.status == 0 and isinstance(info.value.__cause__, httpx.ConnectError)


async def test_call_time_limit_includes_retries() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.3)
        return httpx.Response(503, json=envelope("store_unavailable"))

    c = BayClient("http://bay.test", "k", timeout=0.5, transport=httpx.MockTransport(handler))
    started = asyncio.get_running_loop().time()
    with pytest.raises((ClientTimeoutError, BayError)):
        await c.health()
    assert asyncio.get_running_loop().time() - started < 1.5
    await c.aclose()


async def test_requests_carry_auth_and_query() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    async with mock_client(handler, headers={"X-Extra": "1"}) as c:
        await c.list_sandboxes(limit=5, status="ready")
        await c.cargos.list(managed=True)
    assert seen[0].headers["Authorization"] == "Bearer key"
    assert seen[0].headers["X-Extra"] == "1"
    assert dict(seen[0].url.params) == {"limit": "5", "status": "ready"}
    assert dict(seen[1].url.params) == {"limit": "50", "managed": "true"}


def test_routes_fill_and_reject_unknown_query() -> None:
    assert (
        GET_PROCESS.fill(id="sandbox-1", process_id="proc-2")
        == "/v1/sandboxes/sandbox-1/processes/proc-2"
    )
    with pytest.raises(ValueError, match="missing"):
        GET_PROCESS.fill(id="sandbox-1")
    c = BayClient("http://bay.test", "k")
    with pytest.raises(ValueError, match="no query parameter"):
        c._t.params(GET_PROCESS, {"bogus": 1})
    assert len(ALL_ROUTES) >= 45


# streaming helpers


def test_resume_cuts_already_delivered_bytes() -> None:
    assert _resume("hello", 10, 5) == "hello"
    assert _resume("hello", 10, 7) == "llo"
    assert _resume("héllo", 11, 8) == "llo"


async def test_multipart_body_layout(tmp_path: Path) -> None:
    mp = MultipartBody('dir/a"b.bin', b"DATA")
    body = mp.content()
    assert isinstance(body, bytes)
    boundary = mp.content_type.split("boundary=")[1]
    text = body.decode()
    assert text.index('name="path"') < text.index('name="file"')
    assert 'filename="a_b.bin"' in text and text.endswith(f"--{boundary}--\r\n")

    f = tmp_path / "x.bin"
    f.write_bytes(b"z" * 1000)
    streamed = MultipartBody("x.bin", f, chunk_size=64)
    stream = streamed.content()
    assert not isinstance(stream, bytes)
    joined = b"".join([chunk async for chunk in stream])
    assert int(streamed.headers()["Content-Length"]) == len(joined)
    with pytest.raises(TypeError, match="write_file"):
        MultipartBody("x", "text")  # type: ignore[arg-type]


async def test_exec_stream_error_line_raises_the_mapped_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        lines = [
            {"type": "stdout", "text": "partial"},
            {"type": "error", **envelope("ship_error")},
        ]
        body = "".join(json.dumps(x) + "\n" for x in lines)
        return httpx.Response(200, text=body, headers={"Content-Type": "application/x-ndjson"})

    got: list[str] = []
    async with mock_client(handler) as c:
        sandbox = Sandbox(c._t, SandboxInfo.model_validate(SANDBOX))
        with pytest.raises(ShipError):
            await sandbox.shell.exec("x", on_stdout=got.append)
    assert got == ["partial"]
