"""``sandbox.filesystem``: files under ``/workspace`` (paths are relative to it)."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncGenerator
from typing import BinaryIO

import httpx

from shipyard_neo import _routes as r
from shipyard_neo._bodies import EditFileBody, WriteFileBody
from shipyard_neo._multipart import DEFAULT_CHUNK, MultipartBody, UploadSource
from shipyard_neo.capabilities._base import BaseCapability
from shipyard_neo.errors import BayConnectionError
from shipyard_neo.types import FileInfo, UploadResult


class FilesystemCapability(BaseCapability):
    """Read, write, list, edit and delete files; streamed upload and download.

    Paths are relative to ``/workspace``; an inner ``..`` that stays inside is
    allowed, anything absolute or escaping raises ``InvalidPathError``.
    """

    async def read_file(self, path: str) -> str:
        """A UTF-8 text file's content.

        Raises:
            CargoFileNotFoundError: The file does not exist.
            ValidationError: The file is binary or too large (use :meth:`download`).

        """
        result = await self._t.call(r.READ_FILE, path=self._p(), query={"path": path})
        return result.content

    async def write_file(self, path: str, content: str | bytes) -> None:
        """Write ``content`` (text as UTF-8, bytes as-is) to ``path``.

        Parent directories are created and an existing file is overwritten.
        The content travels in one JSON request (bounded by Bay's body limit):
        use :meth:`upload` for large data.
        """
        if isinstance(content, str):
            body = WriteFileBody(path=path, content=content)
        else:
            encoded = base64.b64encode(content).decode()
            body = WriteFileBody(path=path, content=encoded, encoding="base64")
        await self._t.call(r.WRITE_FILE, path=self._p(), body=body)

    async def list_dir(self, path: str = ".", *, show_hidden: bool = False) -> list[FileInfo]:
        """The entries of directory ``path``: directories first, then by name.

        Dot-files are left out unless ``show_hidden`` is true.
        """
        query = {"path": path, "show_hidden": True if show_hidden else None}
        result = await self._t.call(r.LIST_DIR, path=self._p(), query=query)
        return result.entries

    async def delete(self, path: str) -> None:
        """Delete a file, or a directory recursively.

        Raises:
            CargoFileNotFoundError: Nothing exists at ``path``.

        """
        await self._t.call(r.DELETE_FILE, path=self._p(), query={"path": path})

    async def edit_file(
        self, path: str, old_string: str, new_string: str, *, replace_all: bool = False
    ) -> int:
        """Replace ``old_string`` with ``new_string`` in a text file.

        Returns the number of replacements.

        Raises:
            ValidationError: ``old_string`` is absent, occurs more than once
                without ``replace_all``, or equals ``new_string``.

        """
        body = EditFileBody(
            path=path, old_string=old_string, new_string=new_string, replace_all=replace_all
        )
        result = await self._t.call(r.EDIT_FILE, path=self._p(), body=body)
        return result.replacements

    async def upload(
        self,
        path: str,
        content: UploadSource,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        timeout: float | None = None,
    ) -> UploadResult:
        """Upload ``content`` to ``path`` as a streamed multipart request.

        ``content`` may be bytes, a local file as ``pathlib.Path``, a binary
        file object, or a sync or async iterable of byte chunks; anything but
        bytes is read in ``chunk_size`` pieces as the connection takes them.
        Not retried (a stream cannot be replayed). ``timeout`` bounds the
        whole upload (default: no bound beyond the per-read/write limits).
        """
        mp = MultipartBody(path, content, chunk_size)
        return await self._t.call(
            r.UPLOAD,
            path=self._p(),
            content=mp.content(),
            headers=mp.headers(),
            timeout=timeout,
        )

    async def download(self, path: str) -> bytes:
        """The bytes of file ``path`` (collected in memory; see :meth:`download_to`).

        Raises:
            CargoFileNotFoundError: The file does not exist.

        """
        chunks = [chunk async for chunk in self.iter_download(path)]
        return b"".join(chunks)

    async def download_to(self, path: str, destination: str | os.PathLike[str] | BinaryIO) -> int:
        """Stream file ``path`` into a local file (a path or a binary file object).

        Returns the number of bytes written. Memory stays bounded.
        """
        owned = isinstance(destination, (str, os.PathLike))
        f: BinaryIO = (
            await asyncio.to_thread(open, destination, "wb")  # type: ignore[arg-type]
            if owned
            else destination  # type: ignore[assignment]
        )
        written = 0
        try:
            async for chunk in self.iter_download(path):
                await asyncio.to_thread(f.write, chunk)
                written += len(chunk)
        finally:
            if owned:
                await asyncio.to_thread(f.close)
        return written

    async def iter_download(
        self, path: str, *, chunk_size: int = DEFAULT_CHUNK
    ) -> AsyncGenerator[bytes, None]:
        """The bytes of file ``path`` in chunks, read from Bay as they are consumed.

        Close the iterator (``contextlib.aclosing``) if you stop early.
        """
        async with self._t.stream(r.DOWNLOAD, path=self._p(), query={"path": path}) as response:
            try:
                async for chunk in response.aiter_bytes(chunk_size):
                    yield chunk
            except httpx.TransportError as e:
                raise BayConnectionError(f"the download broke: {e!r}") from e
