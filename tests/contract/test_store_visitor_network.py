"""The storage contract for a visitor's network key (the keyed hash of the network it was
created from, which rewards use against throwaway identities): stored, read back, kept by a
ban, refused when not a string; and an SQLite database from before the column gets it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.domain.models import Visitor
from app.store.port import Store
from app.store.sqlite import SqliteStore

from .conftest import Backend
from .helpers import at

KEY = "9f86d081884c7d659a2feaa0c55ad015"


async def test_a_visitor_keeps_its_network_key(store: Store) -> None:
    from_home = Visitor("v1", "Camille", at(0), network_key=KEY)
    unknown = Visitor("v2", "Léa", at(1))
    await store.add_visitor(from_home)
    await store.add_visitor(unknown)
    assert await store.get_visitor("v1") == from_home
    got = await store.get_visitor("v2")
    assert got is not None and got.network_key is None

    # Banning (or renaming) the visitor leaves the key alone.
    from_home.banned_until = at(60 * 24)
    await store.update_visitor(from_home)
    again = await store.get_visitor("v1")
    assert again is not None
    assert (again.network_key, again.banned_until) == (KEY, at(60 * 24))


async def test_the_network_key_survives_a_reopen(backend: Backend) -> None:
    first = backend.make()
    await first.open()
    try:
        await first.add_visitor(Visitor("v1", "Camille", at(0), network_key=KEY))
    finally:
        await first.close()
    second = backend.make()
    await second.open()
    try:
        got = await second.get_visitor("v1")
        assert got is not None and got.network_key == KEY
    finally:
        await second.close()


async def test_a_network_key_that_is_not_a_string_is_refused(store: Store) -> None:
    with pytest.raises((TypeError, ValueError, sqlite3.Error)):
        await store.add_visitor(Visitor("v1", "Camille", at(0), network_key={"$gt": ""}))  # type: ignore[arg-type]
    assert await store.get_visitor("v1") is None


OLD_VISITORS = """
CREATE TABLE visitors (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, banned_until TEXT,
    shopper_id TEXT
);
INSERT INTO visitors VALUES ('v0', 'Camille', '2025-03-01T12:00:00+00:00', NULL, NULL);
"""


async def test_sqlite_upgrades_a_visitors_table_from_before_network_keys(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    with sqlite3.connect(path) as old:
        old.executescript(OLD_VISITORS)
    old.close()

    store = SqliteStore(path)
    await store.open()
    try:
        before = await store.get_visitor("v0")
        assert before is not None and before.network_key is None
        await store.add_visitor(Visitor("v1", "Léa", at(0), network_key=KEY))
        got = await store.get_visitor("v1")
        assert got is not None and got.network_key == KEY
    finally:
        await store.close()
    reopened = SqliteStore(path)  # a second open finds the column and changes nothing
    await reopened.open()
    await reopened.close()
