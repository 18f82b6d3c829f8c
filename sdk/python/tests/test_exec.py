"""Python and shell execution, streaming callbacks, kernel control."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from shipyard_neo import (
    BayClient,
    CapabilityNotSupportedError,
    ClientTimeoutError,
    InvalidPathError,
    Sandbox,
    ValidationError,
)
from tests.conftest import SHELL_ONLY

# A 1x1 PNG.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)


async def test_python_state_persists(shared_sandbox: Sandbox) -> None:
    await shared_sandbox.python.exec("counter = 20")
    result = await shared_sandbox.python.exec("counter += 1\ncounter * 2")
    assert result.success and result.output.strip() == "42"
    assert result.data.execution_count is not None
    assert result.data.outputs[0].data["text/plain"] == "42"
    assert result.execution_id.startswith("exec-") and result.code is None


async def test_python_error_and_include_code(shared_sandbox: Sandbox) -> None:
    result = await shared_sandbox.python.exec("1/0", include_code=True)
    assert not result.success and result.error and "ZeroDivisionError" in result.error
    assert result.code == "1/0"


async def test_python_images_and_rich_outputs(shared_sandbox: Sandbox) -> None:
    code = (
        "import base64\nfrom IPython.display import Image, HTML, display\n"
        f"display(Image(data=base64.b64decode('{PNG}')))\ndisplay(HTML('<b>hi</b>'))"
    )
    result = await shared_sandbox.python.exec(code)
    assert result.success
    assert base64.b64decode(result.data.output.images[0]["image/png"]).startswith(b"\x89PNG")
    assert any(o.data.get("text/html") == "<b>hi</b>" for o in result.data.outputs)


async def test_python_streams_stdout_stderr_and_displays(shared_sandbox: Sandbox) -> None:
    events: list[tuple[str, Any]] = []

    async def on_stderr(text: str) -> None:  # async callbacks are awaited
        events.append(("stderr", text))

    code = (
        "import sys, time\nfrom IPython.display import HTML, display\n"
        "for i in range(3):\n    print(i, flush=True)\n    time.sleep(0.1)\n"
        "print('oops', file=sys.stderr, flush=True)\ndisplay(HTML('<i>x</i>'))\n'done'"
    )
    result = await shared_sandbox.python.exec(
        code,
        on_stdout=lambda t: events.append(("stdout", t)),
        on_stderr=on_stderr,
        on_display=lambda d: events.append(("display", d)),
    )
    assert result.success and "done" in result.output
    stdout = "".join(t for kind, t in events if kind == "stdout")
    assert stdout == "0\n1\n2\n"
    assert ("stderr", "oops\n") in events
    displays = [d for kind, d in events if kind == "display"]
    assert any(d.get("text/html") == "<i>x</i>" for d in displays)
    assert events.index(("stdout", "2\n")) < events.index(("stderr", "oops\n"))


async def test_python_timeout_keeps_state(shared_sandbox: Sandbox) -> None:
    await shared_sandbox.python.exec("kept = 'yes'")
    result = await shared_sandbox.python.exec("import time\ntime.sleep(10)", timeout=1)
    assert not result.success and result.error and "timed out" in result.error
    assert (await shared_sandbox.python.exec("print(kept)")).output.strip() == "yes"


async def test_interrupt_and_restart(sandbox: Sandbox) -> None:
    await sandbox.python.exec("value = 1")
    started = asyncio.Event()

    def on_stdout(text: str) -> None:
        started.set()

    run = asyncio.create_task(
        sandbox.python.exec(
            "import time\nprint('go', flush=True)\ntime.sleep(30)", on_stdout=on_stdout
        )
    )
    await asyncio.wait_for(started.wait(), 20)
    await sandbox.python.interrupt()
    result = await asyncio.wait_for(run, 20)
    assert not result.success and result.error and "KeyboardInterrupt" in result.error
    assert (await sandbox.python.exec("print(value)")).output.strip() == "1"
    await sandbox.python.restart()
    after = await sandbox.python.exec("print('value' in globals())")
    assert after.output.strip() == "False"


async def test_shell_exec(shared_sandbox: Sandbox) -> None:
    await shared_sandbox.shell.exec("mkdir -p sub")
    result = await shared_sandbox.shell.exec(
        'echo "$GREETING from $(pwd)"; echo warn >&2; exit 3',
        cwd="sub",
        env={"GREETING": "hello"},
        include_code=True,
    )
    assert result.output == "hello from /workspace/sub\n"
    assert result.error == "warn\n" and result.exit_code == 3 and not result.success
    assert result.command and result.command.startswith("echo")
    ok = await shared_sandbox.shell.exec("whoami && echo $HOME")
    assert ok.success and ok.exit_code == 0 and ok.output.split()[1] == "/workspace"


async def test_shell_streaming_and_timeout(shared_sandbox: Sandbox) -> None:
    chunks: list[str] = []
    result = await shared_sandbox.shell.exec(
        "for i in 1 2 3; do echo line$i; sleep 0.1; done; sleep 5",
        timeout=1,
        on_stdout=chunks.append,
    )
    assert "".join(chunks) == "line1\nline2\nline3\n"
    assert result.exit_code == -1 and not result.success
    assert result.output == "line1\nline2\nline3\n"  # output so far is kept


async def test_shell_bad_cwd_and_bad_timeout(shared_sandbox: Sandbox) -> None:
    with pytest.raises(InvalidPathError) as info:
        await shared_sandbox.shell.exec("ls", cwd="/etc")
    assert info.value.details == {"field": "cwd", "reason": "absolute_path"}
    with pytest.raises(ValidationError) as schema:
        await shared_sandbox.shell.exec("ls", timeout=0)
    assert schema.value.status == 422


async def test_cancelling_a_streamed_exec_stops_it(shared_sandbox: Sandbox) -> None:
    marker = "cancel-marker.txt"
    await shared_sandbox.shell.exec(f"rm -f {marker}")
    started = asyncio.Event()
    task = asyncio.create_task(
        shared_sandbox.shell.exec(
            f"echo started; sleep 2; touch {marker}",
            on_stdout=lambda _: started.set(),
        )
    )
    await asyncio.wait_for(started.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(3)
    check = await shared_sandbox.shell.exec(f"test -e {marker}")
    assert check.exit_code == 1, "the command went on after the client disconnected"


async def test_request_timeout_is_a_client_timeout(shared_sandbox: Sandbox) -> None:
    with pytest.raises(ClientTimeoutError):
        await shared_sandbox.shell.exec("sleep 3", request_timeout=0.5)
    with pytest.raises(ClientTimeoutError):
        await shared_sandbox.shell.exec("sleep 3", request_timeout=0.5, on_stdout=print)


async def test_capability_not_supported(client: BayClient) -> None:
    if SHELL_ONLY not in {p.id for p in (await client.list_profiles()).items}:
        pytest.skip("the Bay under test has no shell-only profile")
    async with await client.create_sandbox(profile=SHELL_ONLY) as sb:
        assert "python" not in sb.capabilities
        with pytest.raises(CapabilityNotSupportedError) as info:
            await sb.python.exec("1")
        assert info.value.details["capability"] == "python"
        assert (await sb.shell.exec("echo ok")).output == "ok\n"
