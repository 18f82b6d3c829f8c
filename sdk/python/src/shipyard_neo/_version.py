"""The package version (kept in one place; read by hatchling too)."""

__version__ = "0.1.0"
