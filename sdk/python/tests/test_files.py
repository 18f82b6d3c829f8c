"""The filesystem: text and bytes, listing, edits, streamed upload and download."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from pathlib import Path

import pytest

from shipyard_neo import CargoFileNotFoundError, InvalidPathError, Sandbox, ValidationError


async def test_text_round_trip_and_listing(shared_sandbox: Sandbox) -> None:
    fs = shared_sandbox.filesystem
    await fs.write_file("docs/readme.txt", "héllo\n")
    await fs.write_file("docs/.hidden", "x")
    await fs.write_file("docs/sub/inner.txt", "y")
    assert await fs.read_file("docs/readme.txt") == "héllo\n"
    assert await fs.read_file("docs/sub/../readme.txt") == "héllo\n"
    entries = await fs.list_dir("docs")
    assert [e.name for e in entries] == ["sub", "readme.txt"]
    sub, readme = entries
    assert sub.is_dir and not sub.is_file and readme.size == len("héllo\n".encode())
    assert readme.path == "/workspace/docs/readme.txt" and readme.modified_time > 0
    hidden = await fs.list_dir("docs", show_hidden=True)
    assert ".hidden" in {e.name for e in hidden}
    await fs.delete("docs")
    with pytest.raises(CargoFileNotFoundError):
        await fs.list_dir("docs")


async def test_bytes_write_and_download(shared_sandbox: Sandbox) -> None:
    fs = shared_sandbox.filesystem
    blob = bytes(range(256)) * 10
    await fs.write_file("bin/data.bin", blob)
    assert await fs.download("bin/data.bin") == blob
    with pytest.raises(ValidationError):
        await fs.read_file("bin/data.bin")  # binary: use download


async def test_edit_file(shared_sandbox: Sandbox) -> None:
    fs = shared_sandbox.filesystem
    await fs.write_file("edit.txt", "a-b-a")
    assert await fs.edit_file("edit.txt", "b", "B") == 1
    with pytest.raises(ValidationError):
        await fs.edit_file("edit.txt", "a", "A")  # ambiguous
    assert await fs.edit_file("edit.txt", "a", "A", replace_all=True) == 2
    assert await fs.read_file("edit.txt") == "A-B-A"
    with pytest.raises(ValidationError):
        await fs.edit_file("edit.txt", "zzz", "y")


async def test_missing_and_invalid_paths(shared_sandbox: Sandbox) -> None:
    fs = shared_sandbox.filesystem
    with pytest.raises(CargoFileNotFoundError) as missing:
        await fs.read_file("nope/none.txt")
    assert missing.value.status == 404
    with pytest.raises(CargoFileNotFoundError):
        await fs.delete("nope")
    with pytest.raises(CargoFileNotFoundError):
        await fs.download("nope.bin")
    for path, reason in [("/etc/passwd", "absolute_path"), ("../x", "path_traversal")]:
        with pytest.raises(InvalidPathError) as info:
            await fs.read_file(path)
        assert info.value.details == {"field": "path", "reason": reason}


async def test_upload_sources(shared_sandbox: Sandbox, tmp_path: Path) -> None:
    fs = shared_sandbox.filesystem
    local = tmp_path / "local.bin"
    local.write_bytes(b"from-a-path")

    def sync_chunks() -> Iterator[bytes]:
        yield b"sync-"
        yield b"chunks"

    async def async_chunks() -> AsyncIterator[bytes]:
        yield b"async-"
        yield b"chunks"

    cases: list[tuple[str, object, bytes]] = [
        ("up/bytes.bin", b"raw-bytes", b"raw-bytes"),
        ("up/path.bin", local, b"from-a-path"),
        ("up/file.bin", io.BytesIO(b"file-object"), b"file-object"),
        ("up/sync.bin", sync_chunks(), b"sync-chunks"),
        ("up/async.bin", async_chunks(), b"async-chunks"),
        ("up/a/../normal.bin", b"n", b"n"),
    ]
    for target, source, expected in cases:
        result = await fs.upload(target, source)  # type: ignore[arg-type]
        assert result.status == "ok" and result.size == len(expected)
        assert await fs.download(result.path) == expected
    assert result.path == "up/normal.bin"
    with pytest.raises(InvalidPathError):
        await fs.upload("/abs.bin", b"x")
    with pytest.raises(TypeError):
        await fs.upload("x.txt", "text")  # type: ignore[arg-type]


async def test_large_streamed_upload_and_download(shared_sandbox: Sandbox, tmp_path: Path) -> None:
    fs = shared_sandbox.filesystem
    size = 24 * 1024 * 1024 + 123
    digest = hashlib.sha256()

    async def generated() -> AsyncIterator[bytes]:
        remaining = size
        block = os.urandom(1 << 20)
        while remaining:
            chunk = block[: min(remaining, len(block))]
            digest.update(chunk)
            remaining -= len(chunk)
            yield chunk

    result = await fs.upload("big/random.bin", generated())
    assert result.size == size
    remote = await shared_sandbox.shell.exec("sha256sum big/random.bin")
    assert remote.output.split()[0] == digest.hexdigest()

    target = tmp_path / "copy.bin"
    assert await fs.download_to("big/random.bin", target) == size
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest.hexdigest()

    buffer = io.BytesIO()
    assert await fs.download_to("big/random.bin", buffer) == size

    first = b""
    async with aclosing(fs.iter_download("big/random.bin", chunk_size=4096)) as chunks:
        async for chunk in chunks:
            assert len(chunk) <= 4096
            first = chunk
            break
    assert first == target.read_bytes()[: len(first)]
    await fs.delete("big")
