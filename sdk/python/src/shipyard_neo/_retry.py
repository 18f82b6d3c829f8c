"""The retry policy.

Which failures of which requests are retried, and the wait before the next
attempt (jittered exponential backoff, or Bay's own hint).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shipyard_neo.errors import (
    BayConnectionError,
    BayError,
    ClientTimeoutError,
    ConflictError,
    SessionNotReadyError,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff settings.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retrying).
        base_delay: First backoff step in seconds (doubled each retry).
        max_delay: Longest wait between attempts in seconds, hints included.

    """

    max_retries: int = 3
    base_delay: float = 0.25
    max_delay: float = 8.0


def safe_to_repeat(method: str, has_idempotency_key: bool) -> bool:
    """True when sending the request again cannot do its work twice.

    GET, HEAD, PUT and DELETE are safe; a POST is safe only with an
    ``Idempotency-Key`` (Bay replays the first answer).
    """
    m = method.upper()
    return m in SAFE_METHODS or (m == "POST" and has_idempotency_key)


def retryable(err: BaseException) -> bool:
    """True for failures worth another attempt.

    No answer at all, a per-attempt timeout, 429, any 5xx, and the 409 Bay
    gives while a first request with the same idempotency key is still running.
    """
    if isinstance(err, (BayConnectionError, ClientTimeoutError)):
        return True
    if isinstance(err, ConflictError) and err.details.get("hint") == "retry later":
        return True
    if not isinstance(err, BayError):
        return False
    return err.status == 429 or err.status >= 500


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    err: BaseException | None = None,
    retry_after_header: str | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based) after ``err``.

    Bay's own hint wins when given (``details.retry_after_ms`` of
    ``session_not_ready``, or a numeric ``Retry-After`` header); otherwise
    exponential backoff with jitter (between half and all of the step). Never
    more than ``policy.max_delay``.
    """
    hint: float | None = None
    if isinstance(err, SessionNotReadyError):
        hint = err.retry_after
    if hint is None and retry_after_header:
        try:
            hint = float(retry_after_header.strip())
        except ValueError:
            hint = None
    if hint is not None:
        return max(0.0, min(hint, policy.max_delay))
    step = min(policy.max_delay, policy.base_delay * (2 ** min(attempt, 30)))
    return float(step / 2 + random.random() * (step / 2))
