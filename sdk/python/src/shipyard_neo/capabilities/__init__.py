"""The capability objects a :class:`~shipyard_neo.Sandbox` exposes."""

from shipyard_neo.capabilities.filesystem import FilesystemCapability
from shipyard_neo.capabilities.processes import ProcessCapability
from shipyard_neo.capabilities.python import PythonCapability
from shipyard_neo.capabilities.shell import ShellCapability

__all__ = ["FilesystemCapability", "ProcessCapability", "PythonCapability", "ShellCapability"]
