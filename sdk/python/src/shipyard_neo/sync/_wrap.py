"""Descriptors that turn async methods into blocking ones.

They keep the signatures for type checkers and the docstrings for ``help()``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from shipyard_neo.sync._portal import Portal

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A")
S = TypeVar("S")
T = TypeVar("T")
Target = TypeVar("Target")


class SyncProxy(Generic[Target]):
    """Base of the sync classes: an async object and the portal that runs it."""

    def __init__(self, target: Target, portal: Portal) -> None:
        self._target = target
        self._portal = portal

    @property
    def async_object(self) -> Target:
        """The wrapped async object (use only from async code on the portal's loop)."""
        return self._target

    def __repr__(self) -> str:
        return f"Sync{self._target!r}"


class blocking(Generic[P, R]):  # noqa: N801 - used like a decorator
    """The blocking version of an async method."""

    def __init__(self, afn: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]) -> None:
        self._afn = afn
        self.__doc__ = afn.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> blocking[P, R]: ...
    @overload
    def __get__(self, obj: SyncProxy[Any], owner: type[Any]) -> Callable[P, R]: ...
    def __get__(
        self, obj: SyncProxy[Any] | None, owner: type[Any]
    ) -> blocking[P, R] | Callable[P, R]:
        if obj is None:
            return self
        afn, target, portal = self._afn, obj._target, obj._portal

        @functools.wraps(afn)
        def method(*args: P.args, **kwargs: P.kwargs) -> R:
            return portal.run(afn(target, *args, **kwargs))

        return method


class blocking_wrapped(Generic[P, A, S]):  # noqa: N801
    """The blocking version of an async method whose result gets a sync wrapper."""

    def __init__(
        self,
        afn: Callable[Concatenate[Any, P], Coroutine[Any, Any, A]],
        wrap: Callable[[A, Portal], S],
    ) -> None:
        self._afn = afn
        self._wrap = wrap
        self.__doc__ = afn.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> blocking_wrapped[P, A, S]: ...
    @overload
    def __get__(self, obj: SyncProxy[Any], owner: type[Any]) -> Callable[P, S]: ...
    def __get__(
        self, obj: SyncProxy[Any] | None, owner: type[Any]
    ) -> blocking_wrapped[P, A, S] | Callable[P, S]:
        if obj is None:
            return self
        afn, wrap, target, portal = self._afn, self._wrap, obj._target, obj._portal

        @functools.wraps(afn)
        def method(*args: P.args, **kwargs: P.kwargs) -> S:
            return wrap(portal.run(afn(target, *args, **kwargs)), portal)

        return method


class blocking_iter(Generic[P, T]):  # noqa: N801
    """The blocking version of a method returning an async iterator."""

    def __init__(self, afn: Callable[Concatenate[Any, P], AsyncIterator[T]]) -> None:
        self._afn = afn
        self.__doc__ = afn.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> blocking_iter[P, T]: ...
    @overload
    def __get__(self, obj: SyncProxy[Any], owner: type[Any]) -> Callable[P, Iterator[T]]: ...
    def __get__(
        self, obj: SyncProxy[Any] | None, owner: type[Any]
    ) -> blocking_iter[P, T] | Callable[P, Iterator[T]]:
        if obj is None:
            return self
        afn, target, portal = self._afn, obj._target, obj._portal

        @functools.wraps(afn)
        def method(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
            return portal.iterate(afn(target, *args, **kwargs))

        return method
