"""The blocking facade of the SDK (``SyncBayClient`` and friends)."""

from shipyard_neo.sync.client import (
    SyncAdminManager,
    SyncBayClient,
    SyncCargoManager,
    SyncFilesystemCapability,
    SyncProcessCapability,
    SyncPythonCapability,
    SyncSandbox,
    SyncShellCapability,
    SyncSkillManager,
)

__all__ = [
    "SyncAdminManager",
    "SyncBayClient",
    "SyncCargoManager",
    "SyncFilesystemCapability",
    "SyncProcessCapability",
    "SyncPythonCapability",
    "SyncSandbox",
    "SyncShellCapability",
    "SyncSkillManager",
]
