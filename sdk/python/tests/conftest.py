"""Test fixtures: a real Bay (local bubblewrap driver) started for the session.

The Bay is spawned with ``deno run … bay/main.ts`` on a free port, with a
fresh data directory and a random API key, and stopped with SIGTERM at the
end. Set ``BAY_TEST_ENDPOINT`` (and ``BAY_TEST_TOKEN``) to use a running Bay
instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from shipyard_neo import BayClient, Sandbox

REPO = Path(__file__).resolve().parents[3]
STARTUP_LIMIT = 180.0
SHELL_ONLY = "shell-only"
PROFILES = [
    {"id": "python-default", "description": "Python 3 with IPython, a shell and the file API"},
    {"id": SHELL_ONLY, "description": "no kernel", "capabilities": ["shell", "filesystem"]},
]


@dataclass(frozen=True)
class BayServer:
    """Where the test Bay listens and the admin key it accepts."""

    endpoint: str
    token: str
    log: Path | None = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _deno() -> str:
    found = shutil.which("deno")
    if found:
        return found
    local = REPO / ".tools" / "node_modules" / ".bin" / "deno"
    if local.exists():
        return str(local)
    pytest.exit("deno not found (run ./test.sh once, or put deno on PATH)", returncode=2)


def _healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint + "/health", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def bay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BayServer]:
    """A Bay for the whole session."""
    external = os.environ.get("BAY_TEST_ENDPOINT")
    if external:
        yield BayServer(external.rstrip("/"), os.environ.get("BAY_TEST_TOKEN", ""))
        return
    data = tmp_path_factory.mktemp("bay-data")
    log = data / "bay.log"
    port = _free_port()
    token = "sk-test-" + secrets.token_hex(16)
    config = data / "bay.json"
    config.write_text(json.dumps({"profiles": PROFILES}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAY_")}
    env.update(
        BAY_CONFIG_FILE=str(config),
        BAY_DATA_DIR=str(data),
        BAY_HOST="127.0.0.1",
        BAY_PORT=str(port),
        BAY_API_KEY=token,
        BAY_DRIVER="local",
        BAY_LOG_LEVEL="warn",
    )
    cmd = [_deno(), "run", "-A", "--frozen", "--unstable-no-legacy-abort", "bay/main.ts"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while not _healthy(endpoint):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-4000:]
                pytest.exit(f"Bay did not start (exit {proc.poll()}):\n{tail}", returncode=2)
            time.sleep(0.25)
        yield BayServer(endpoint, token, log)
    finally:
        _stop(proc)


@pytest_asyncio.fixture
async def client(bay: BayServer) -> AsyncIterator[BayClient]:
    """An async client of the test Bay."""
    async with BayClient(bay.endpoint, bay.token) as c:
        yield c


@pytest_asyncio.fixture(scope="session")
async def shared_client(bay: BayServer) -> AsyncIterator[BayClient]:
    """A client shared by the session (for the shared sandbox)."""
    async with BayClient(bay.endpoint, bay.token) as c:
        yield c


@pytest_asyncio.fixture(scope="session")
async def shared_sandbox(shared_client: BayClient) -> AsyncIterator[Sandbox]:
    """One sandbox for tests that need no fresh state (faster)."""
    sandbox = await shared_client.create_sandbox(ttl=3600)
    try:
        yield sandbox
    finally:
        await sandbox.delete()


@pytest_asyncio.fixture
async def sandbox(client: BayClient) -> AsyncIterator[Sandbox]:
    """A fresh sandbox, deleted after the test."""
    sb = await client.create_sandbox(ttl=900)
    try:
        yield sb
    finally:
        await sb.delete()
