"""Client settings and their environment defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from shipyard_neo._retry import RetryPolicy

DEFAULT_ENDPOINT = "http://127.0.0.1:8114"
"""Bay's default address, used when neither an argument nor ``BAY_ENDPOINT`` gives one."""

DEFAULT_TIMEOUT = 30.0
"""Default time limit of one call in seconds (retries included)."""

DEFAULT_MAX_RETRIES = 3
"""Default number of retries of a failed request that is safe to repeat."""


@dataclass(frozen=True)
class ClientConfig:
    """Resolved settings of a client (see :class:`shipyard_neo.BayClient`)."""

    endpoint: str
    token: str | None
    timeout: float | None
    retry: RetryPolicy
    headers: Mapping[str, str] = field(default_factory=dict)
    transport: httpx.AsyncBaseTransport | None = None


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def resolve_config(
    endpoint_url: str | None,
    access_token: str | None,
    *,
    timeout: float | None,
    max_retries: int | None,
    retry_backoff: float,
    retry_max_delay: float,
    headers: Mapping[str, str] | None,
    transport: httpx.AsyncBaseTransport | None,
) -> ClientConfig:
    """Merge explicit arguments with the environment.

    ``endpoint_url`` falls back to ``BAY_ENDPOINT`` then :data:`DEFAULT_ENDPOINT`;
    ``access_token`` to ``BAY_TOKEN`` then ``BAY_API_KEY``; a ``timeout`` or
    ``max_retries`` left as ``None`` to ``BAY_TIMEOUT`` / ``BAY_MAX_RETRIES``
    then the defaults.
    """
    endpoint = endpoint_url or _env("BAY_ENDPOINT") or DEFAULT_ENDPOINT
    if not endpoint.startswith(("http://", "https://")):
        raise ValueError(f"endpoint must be an http(s) URL, got {endpoint!r}")
    token = access_token or _env("BAY_TOKEN") or _env("BAY_API_KEY")
    if timeout is None:
        env_timeout = _env("BAY_TIMEOUT")
        timeout = float(env_timeout) if env_timeout else DEFAULT_TIMEOUT
    if max_retries is None:
        env_retries = _env("BAY_MAX_RETRIES")
        max_retries = int(env_retries) if env_retries else DEFAULT_MAX_RETRIES
    if max_retries < 0:
        raise ValueError("max_retries must be >= 0")
    return ClientConfig(
        endpoint=endpoint.rstrip("/"),
        token=token,
        timeout=timeout if timeout > 0 else None,
        retry=RetryPolicy(
            max_retries=max_retries, base_delay=retry_backoff, max_delay=retry_max_delay
        ),
        headers=dict(headers or {}),
        transport=transport,
    )
