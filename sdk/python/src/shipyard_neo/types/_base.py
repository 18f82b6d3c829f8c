"""Base classes of the SDK's models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class BayModel(BaseModel):
    """Base of every response model: unknown fields are ignored (forward compatible)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NoContent(BayModel):
    """The (empty) result of a call answered without a JSON body (204, a stream, an upgrade)."""


class StatusResponse(BayModel):
    """``{"status": "ok"}`` and similar acknowledgements."""

    status: str
