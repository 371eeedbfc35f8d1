"""Fixtures for the storage contract: each test runs once per adapter.

`store` is an opened store on fresh data. `backend.make()` builds another, unopened store on
the same data, to check that what was written survives `close()` and a reopen.

Mongo runs on a real server when MONGODB_URI is set (one database per test, dropped after);
otherwise on mongomock behind the async facade in `mongomock_async.py`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from app.store.mongo import MongoStore
from app.store.port import Store
from app.store.sqlite import SqliteStore
from tests.mongomock_async import AsyncMongoMockClient

from .helpers import BAG, Factory, room

MONGODB_URI = os.environ.get("MONGODB_URI", "")


@dataclass(frozen=True)
class Backend:
    name: str
    make: Callable[[], Store]


@asynccontextmanager
async def mongo_backend() -> AsyncIterator[Backend]:
    if not MONGODB_URI:
        client = AsyncMongoMockClient()  # one client: a reopened store sees the same data
        yield Backend("mongo", lambda: MongoStore(client, "entraide_test"))  # type: ignore[arg-type]
        return
    name = f"entraide_test_{uuid.uuid4().hex}"
    try:
        yield Backend(
            "mongo", lambda: MongoStore(AsyncMongoClient(MONGODB_URI, tz_aware=True), name)
        )
    finally:
        admin: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(MONGODB_URI)
        try:
            await admin.drop_database(name)
        finally:
            await admin.close()


@pytest.fixture(params=["sqlite", "mongo"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "sqlite":
        path = str(tmp_path / "t.db")
        yield Backend("sqlite", lambda: SqliteStore(path))
        return
    async with mongo_backend() as mongo:
        yield mongo


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    opened = backend.make()
    await opened.open()
    yield opened
    await opened.close()


@pytest.fixture
async def mongo_store() -> AsyncIterator[MongoStore]:
    """The Mongo adapter alone, for checks that only make sense on MongoDB."""
    async with mongo_backend() as mongo:
        opened = mongo.make()
        assert isinstance(opened, MongoStore)
        await opened.open()
        yield opened
        await opened.close()


@pytest.fixture
async def make(store: Store) -> Factory:
    """Rooms WATCH and BAG exist; the factory stores threads and messages in them."""
    await store.ensure_room(room())
    await store.ensure_room(room(BAG, "Sac en cuir"))
    return Factory(store)
