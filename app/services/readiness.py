"""Whether this process can serve: the store answers (Redis is checked by the web layer,
which owns that client)."""

from __future__ import annotations

from app.store.port import MaintenanceStore


class Readiness:
    def __init__(self, store: MaintenanceStore) -> None:
        self._store = store

    async def check_store(self) -> None:
        """Raise if the store cannot answer."""
        await self._store.ping()
