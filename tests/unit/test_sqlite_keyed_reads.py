"""Reads by key run on the event loop's own SQLite connection and see every commit."""

from __future__ import annotations

from pathlib import Path

from app.store.sqlite import SqliteStore
from tests.contract.helpers import room


async def test_a_keyed_read_sees_the_latest_commit(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "keyed.db"))
    await store.open()
    try:
        assert await store.get_room("moulinet") is None
        await store.ensure_room(room("moulinet"))
        found = await store.get_room("moulinet")
        assert found is not None and found.key == "moulinet"
    finally:
        await store.close()
