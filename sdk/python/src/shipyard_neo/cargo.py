"""``client.cargos``: persistent volumes that outlive sandboxes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

from shipyard_neo import _routes as r
from shipyard_neo._bodies import CreateCargoBody
from shipyard_neo._transport import Transport
from shipyard_neo.types import CargoInfo, CargoList


class CargoManager:
    """Cargo management.

    A *managed* cargo is created and deleted with its sandbox; an *external*
    cargo is created here, can be attached to several sandboxes
    (``create_sandbox(cargo_id=...)``) and must be deleted explicitly.
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def create(
        self, *, size_limit_mb: int | None = None, idempotency_key: str | None = None
    ) -> CargoInfo:
        """Create an external cargo (``size_limit_mb`` 1-65536, default 1024). Retried safely."""
        return await self._t.call(
            r.CREATE_CARGO,
            body=CreateCargoBody(size_limit_mb=size_limit_mb),
            idempotency_key=idempotency_key or uuid.uuid4().hex,
        )

    async def get(self, cargo_id: str) -> CargoInfo:
        """One cargo."""
        return await self._t.call(r.GET_CARGO, path={"id": cargo_id})

    async def list(
        self, *, limit: int = 50, cursor: str | None = None, managed: bool | None = None
    ) -> CargoList:
        """One page of cargos: external ones unless ``managed=True``."""
        return await self._t.call(
            r.LIST_CARGOS, query={"limit": limit, "cursor": cursor, "managed": managed}
        )

    async def iter(
        self, *, managed: bool | None = None, page_size: int = 50
    ) -> AsyncGenerator[CargoInfo, None]:
        """Every cargo, fetched page by page as the loop goes."""
        cursor: str | None = None
        while True:
            page = await self.list(limit=page_size, cursor=cursor, managed=managed)
            for item in page.items:
                yield item
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def delete(self, cargo_id: str) -> None:
        """Delete a cargo.

        Raises:
            ConflictError: It is attached to a live sandbox
                (``details["active_sandbox_ids"]``) or its managing sandbox
                is alive (``details["managed_by_sandbox_id"]``).

        """
        await self._t.call(r.DELETE_CARGO, path={"id": cargo_id})
