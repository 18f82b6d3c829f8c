"""Shipyard Neo Python SDK: a typed, async-first client of Bay's API.

Sandboxes with a stateful Python kernel, a shell, background processes,
files, execution history, cargos and skills; a blocking facade for code
without an event loop.

Example::

    import asyncio
    from shipyard_neo import BayClient

    async def main() -> None:
        async with BayClient() as client:  # BAY_ENDPOINT, BAY_TOKEN
            async with await client.create_sandbox(ttl=600) as sandbox:
                result = await sandbox.python.exec("print(6 * 7)")
                print(result.output)

    asyncio.run(main())
"""

from shipyard_neo._multipart import UploadSource
from shipyard_neo._ndjson import DisplayCallback, TextCallback
from shipyard_neo._retry import RetryPolicy
from shipyard_neo._version import __version__
from shipyard_neo.admin import AdminManager
from shipyard_neo.capabilities import (
    FilesystemCapability,
    ProcessCapability,
    PythonCapability,
    ShellCapability,
)
from shipyard_neo.cargo import CargoManager
from shipyard_neo.client import BayClient
from shipyard_neo.errors import (
    ERROR_CODE_MAP,
    BayConnectionError,
    BayError,
    CapabilityNotSupportedError,
    CargoFileNotFoundError,
    ClientTimeoutError,
    ConflictError,
    ForbiddenError,
    InternalError,
    InvalidPathError,
    LockedError,
    NotFoundError,
    PayloadTooLargeError,
    QuotaExceededError,
    RequestTimeoutError,
    SandboxExpiredError,
    SandboxTTLInfiniteError,
    SessionNotReadyError,
    ShipError,
    StoreUnavailableError,
    UnauthorizedError,
    ValidationError,
)
from shipyard_neo.sandbox import Sandbox
from shipyard_neo.skills import SkillManager
from shipyard_neo.sync import SyncBayClient, SyncSandbox
from shipyard_neo.types import *  # noqa: F403
from shipyard_neo.types import __all__ as _types_all

__all__ = [
    "ERROR_CODE_MAP",
    "AdminManager",
    "BayClient",
    "BayConnectionError",
    "BayError",
    "CapabilityNotSupportedError",
    "CargoFileNotFoundError",
    "CargoManager",
    "ClientTimeoutError",
    "ConflictError",
    "DisplayCallback",
    "FilesystemCapability",
    "ForbiddenError",
    "InternalError",
    "InvalidPathError",
    "LockedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "ProcessCapability",
    "PythonCapability",
    "QuotaExceededError",
    "RequestTimeoutError",
    "RetryPolicy",
    "Sandbox",
    "SandboxExpiredError",
    "SandboxTTLInfiniteError",
    "SessionNotReadyError",
    "ShellCapability",
    "ShipError",
    "SkillManager",
    "StoreUnavailableError",
    "SyncBayClient",
    "SyncSandbox",
    "TextCallback",
    "UnauthorizedError",
    "UploadSource",
    "ValidationError",
    "__version__",
    *_types_all,
]
