"""Errors raised by the SDK.

Every Bay error code has its own class, all deriving from :class:`BayError`,
which carries ``code``, ``status``, ``request_id`` and ``details`` from Bay's
error envelope ``{"error": {"code", "message", "request_id", "details"}}``.
Two more classes cover failures without an answer from Bay:
:class:`BayConnectionError` and :class:`ClientTimeoutError`.

Example::

    try:
        await client.get_sandbox("sandbox-000000000000")
    except NotFoundError as e:
        print("gone", e.request_id)
"""

from __future__ import annotations

import json
from typing import Any

import httpx


class BayError(Exception):
    """Base class of every SDK error.

    Attributes:
        message: Human-readable message.
        code: Bay's machine-readable error code (e.g. ``not_found``).
        status: HTTP status (0 when no HTTP answer was received).
        request_id: Bay's request id (``X-Request-Id``) when known.
        details: Structured details of the envelope (empty dict when none).

    """

    code: str = "internal_error"
    status: int = 500

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.request_id = request_id
        self.details: dict[str, Any] = details or {}

    @property
    def status_code(self) -> int:
        """Alias of :attr:`status` (the name the first Python SDK used)."""
        return self.status

    def __str__(self) -> str:
        rid = f" (request {self.request_id})" if self.request_id else ""
        return f"[{self.code}] {self.message}{rid}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class UnauthorizedError(BayError):
    """401 ``unauthorized``: missing or wrong API key."""

    code = "unauthorized"
    status = 401


class ForbiddenError(BayError):
    """403 ``forbidden``: e.g. an admin route called with a non-admin key."""

    code = "forbidden"
    status = 403


class NotFoundError(BayError):
    """404 ``not_found``: missing, deleted or another owner's resource."""

    code = "not_found"
    status = 404


class CargoFileNotFoundError(BayError):
    """404 ``file_not_found``: a sandbox path that does not exist."""

    code = "file_not_found"
    status = 404


class ValidationError(BayError):
    """400/422 ``validation_error``; ``details["issues"]`` lists schema failures."""

    code = "validation_error"
    status = 400


class InvalidPathError(BayError):
    """400 ``invalid_path``; ``details`` is ``{field, reason}``."""

    code = "invalid_path"
    status = 400


class CapabilityNotSupportedError(BayError):
    """400 ``capability_not_supported``; ``details`` is ``{capability, available}``."""

    code = "capability_not_supported"
    status = 400


class ConflictError(BayError):
    """409 ``conflict``: idempotency key reuse, resource in use, bad state."""

    code = "conflict"
    status = 409


class SandboxExpiredError(BayError):
    """409 ``sandbox_expired``; ``details`` is ``{sandbox_id, expires_at}``."""

    code = "sandbox_expired"
    status = 409


class SandboxTTLInfiniteError(BayError):
    """409 ``sandbox_ttl_infinite``: the sandbox never expires, so it cannot be extended."""

    code = "sandbox_ttl_infinite"
    status = 409


class PayloadTooLargeError(BayError):
    """413 ``payload_too_large``: the request body exceeds Bay's limit."""

    code = "payload_too_large"
    status = 413


class LockedError(BayError):
    """423 ``locked``: e.g. a GC run is already in progress."""

    code = "locked"
    status = 423


class QuotaExceededError(BayError):
    """429 ``quota_exceeded``: a quota or rate limit was hit."""

    code = "quota_exceeded"
    status = 429


class InternalError(BayError):
    """500 ``internal_error``: an unexpected failure inside Bay."""

    code = "internal_error"
    status = 500


class ShipError(BayError):
    """502 ``ship_error``: the sandbox runtime failed or vanished mid-call."""

    code = "ship_error"
    status = 502


class SessionNotReadyError(BayError):
    """503 ``session_not_ready``; ``details["retry_after_ms"]`` hints when to retry."""

    code = "session_not_ready"
    status = 503

    @property
    def retry_after(self) -> float | None:
        """Seconds Bay suggests waiting before retrying, when it said."""
        ms = self.details.get("retry_after_ms")
        return float(ms) / 1000 if isinstance(ms, (int, float)) else None


class StoreUnavailableError(BayError):
    """503 ``store_unavailable``: Bay's database is not reachable."""

    code = "store_unavailable"
    status = 503


class RequestTimeoutError(BayError):
    """504 ``timeout``: Bay gave up waiting on the runtime."""

    code = "timeout"
    status = 504


class BayConnectionError(BayError):
    """No HTTP answer: connection refused or reset, or a stream that broke."""

    code = "connection_error"
    status = 0


class ClientTimeoutError(BayError):
    """The SDK's own time limit for the call passed before Bay answered."""

    code = "client_timeout"
    status = 0


ERROR_CODE_MAP: dict[str, type[BayError]] = {
    cls.code: cls
    for cls in (
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        CargoFileNotFoundError,
        ValidationError,
        InvalidPathError,
        CapabilityNotSupportedError,
        ConflictError,
        SandboxExpiredError,
        SandboxTTLInfiniteError,
        PayloadTooLargeError,
        LockedError,
        QuotaExceededError,
        InternalError,
        ShipError,
        SessionNotReadyError,
        StoreUnavailableError,
        RequestTimeoutError,
    )
}
"""Error class by Bay error code."""

_BY_STATUS: dict[int, type[BayError]] = {
    400: ValidationError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: ValidationError,
    423: LockedError,
    429: QuotaExceededError,
    500: InternalError,
    502: ShipError,
    503: SessionNotReadyError,
    504: RequestTimeoutError,
}


def error_from_envelope(
    body: Any, *, status: int | None = None, request_id: str | None = None
) -> BayError:
    """Build the error for an envelope ``{"error": {...}}``.

    ``status`` is the HTTP status (``None`` for an error line inside a stream,
    which takes the code's usual status). An unknown code gives a plain
    :class:`BayError`; a body that is no envelope gives the class of the status.
    """
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict) and isinstance(err.get("code"), str):
        code: str = err["code"]
        cls = ERROR_CODE_MAP.get(code, BayError)
        message = str(err.get("message") or code)
        rid = err.get("request_id")
        details = err.get("details")
        return cls(
            message,
            code=code,
            status=status,
            request_id=rid if isinstance(rid, str) else request_id,
            details=details if isinstance(details, dict) else None,
        )
    cls = _BY_STATUS.get(status or 0, BayError)
    snippet = json.dumps(body)[:500] if body is not None else ""
    return cls(
        f"HTTP {status} without an error envelope: {snippet}",
        status=status,
        request_id=request_id,
    )


def error_from_response(response: httpx.Response) -> BayError:
    """Build the error for a failed (already read) HTTP response."""
    request_id = response.headers.get("X-Request-Id")
    body: Any
    try:
        body = response.json()
    except Exception:  # not JSON, or a body that could not be read
        try:
            body = response.text[:500]
        except Exception:
            body = None
    return error_from_envelope(body, status=response.status_code, request_id=request_id)
