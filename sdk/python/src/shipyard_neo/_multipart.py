"""A streamed ``multipart/form-data`` body for uploads.

The ``path`` field comes first, then the ``file`` part, read from the
caller's source only as fast as the connection takes it, so memory stays
bounded whatever the size.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from pathlib import PurePosixPath
from typing import BinaryIO

UploadSource = (
    bytes
    | bytearray
    | memoryview
    | os.PathLike[str]
    | BinaryIO
    | Iterable[bytes]
    | AsyncIterable[bytes]
)
"""What an upload can send: bytes, a local file (``pathlib.Path``), a binary
file object, or a (sync or async) iterable of byte chunks."""

DEFAULT_CHUNK = 256 * 1024


class MultipartBody:
    """The body of an upload and its headers."""

    def __init__(self, target: str, source: UploadSource, chunk_size: int = DEFAULT_CHUNK):
        if isinstance(source, str):
            raise TypeError(
                "upload() takes bytes, a pathlib.Path, a binary file or byte chunks; "
                "use write_file() for text or pass Path(...) for a local file"
            )
        boundary = "shipyard-" + secrets.token_hex(16)
        name = re.sub(r'["\r\n\\]', "_", PurePosixPath(target).name or "file")
        self._head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n'
            f"{target}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._source = source
        self._chunk = chunk_size
        self.content_type = f"multipart/form-data; boundary={boundary}"

    def content(self) -> bytes | AsyncIterator[bytes]:
        """The body: bytes when the source is in memory, else a stream."""
        src = self._source
        if isinstance(src, (bytes, bytearray, memoryview)):
            return self._head + bytes(src) + self._tail
        return self._stream()

    def headers(self) -> dict[str, str]:
        """Content type, and the length when it is known in advance."""
        out = {"Content-Type": self.content_type}
        src = self._source
        if isinstance(src, os.PathLike):
            size = os.stat(src).st_size
            out["Content-Length"] = str(len(self._head) + size + len(self._tail))
        return out

    async def _stream(self) -> AsyncIterator[bytes]:
        yield self._head
        async for chunk in self._chunks():
            if chunk:
                yield bytes(chunk)
        yield self._tail

    async def _chunks(self) -> AsyncIterator[bytes]:
        src = self._source
        if isinstance(src, os.PathLike):
            f = await asyncio.to_thread(open, os.fspath(src), "rb")
            try:
                async for chunk in _read_file(f, self._chunk):
                    yield chunk
            finally:
                await asyncio.to_thread(f.close)
        elif hasattr(src, "read"):
            async for chunk in _read_file(src, self._chunk):  # type: ignore[arg-type]
                yield chunk
        elif isinstance(src, AsyncIterable):
            async for chunk in src:
                yield chunk
        elif isinstance(src, Iterable):
            for piece in src:
                yield bytes(piece)
        else:
            raise TypeError(f"cannot upload a {type(src).__name__}")


async def _read_file(f: BinaryIO, chunk_size: int) -> AsyncIterator[bytes]:
    while True:
        chunk = await asyncio.to_thread(f.read, chunk_size)
        if not chunk:
            return
        yield chunk
