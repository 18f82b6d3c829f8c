"""A private event loop on a background thread for the sync facade."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()


class Portal:
    """Runs coroutines on its own loop thread and waits for their results."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="shipyard-neo-sync", daemon=True)
        self._closed = False
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop thread and return (or raise) its outcome.

        Interrupting the wait (Ctrl-C) cancels the coroutine.
        """
        if self._closed:
            coro.close()
            raise RuntimeError("the client is closed")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError(
                "a sync client cannot be used from its own callbacks; use the async client"
            )
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def iterate(self, source: AsyncIterator[T]) -> Iterator[T]:
        """A blocking iterator over an async one (closed when the loop stops early)."""

        async def step() -> Any:
            try:
                return await source.__anext__()
            except StopAsyncIteration:
                return _DONE

        try:
            while True:
                item = self.run(step())
                if item is _DONE:
                    return
                yield item
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None and not self._closed:
                self.run(aclose())

    def close(self) -> None:
        """Stop the loop and its thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()
