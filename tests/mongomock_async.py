"""A thin async facade over mongomock, shaped like `pymongo.AsyncMongoClient`.

Only what `app.store.mongo.MongoStore` uses (plus `index_information` for the index test).
Each call runs the synchronous mongomock operation at once: there is no I/O to wait for.
mongomock enforces unique indexes and raises `pymongo.errors.DuplicateKeyError`, so the
adapter's duplicate handling runs as it would against a server. It stays in tests only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import mongomock
from pymongo import DeleteOne, UpdateOne


class AsyncCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, *args: Any, **kwargs: Any) -> AsyncCursor:
        self._cursor = self._cursor.sort(*args, **kwargs)
        return self

    def skip(self, skip: int) -> AsyncCursor:
        self._cursor = self._cursor.skip(skip)
        return self

    def limit(self, limit: int) -> AsyncCursor:
        self._cursor = self._cursor.limit(limit)
        return self

    def hint(self, index: Any) -> AsyncCursor:
        """Accepted and ignored (mongomock has no query planner)."""
        self._cursor = self._cursor.hint(index)
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        docs = list(self._cursor)
        return docs if length is None else docs[:length]

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        for doc in self._cursor:
            yield doc


class AsyncCollection:
    def __init__(self, collection: Any) -> None:
        self._c = collection

    @property
    def name(self) -> str:
        return str(self._c.name)

    def find(self, *args: Any, **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._c.find(*args, **kwargs))

    async def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._c.aggregate(pipeline, **kwargs))

    async def find_one(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._c.find_one(*args, **kwargs)
        return found

    async def find_one_and_update(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._c.find_one_and_update(*args, **kwargs)
        return found

    async def find_one_and_delete(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._c.find_one_and_delete(*args, **kwargs)
        return found

    async def insert_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._c.insert_one(*args, **kwargs)

    async def insert_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._c.insert_many(*args, **kwargs)

    async def update_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._c.update_one(*args, **kwargs)

    async def update_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._c.update_many(*args, **kwargs)

    async def replace_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._c.replace_one(*args, **kwargs)

    async def delete_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._c.delete_one(*args, **kwargs)

    async def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._c.delete_many(*args, **kwargs)

    async def bulk_write(self, requests: list[Any], **kwargs: Any) -> None:
        """Each operation as its single-document call: mongomock 4.3's own bulk_write
        breaks on pymongo >= 4.11 operations (`_add_to_bulk` passes `sort`)."""
        for op in requests:
            if isinstance(op, UpdateOne):
                self._c.update_one(op._filter, op._doc, upsert=op._upsert)
            elif isinstance(op, DeleteOne):
                self._c.delete_one(op._filter)
            else:
                raise NotImplementedError(type(op).__name__)

    async def distinct(self, *args: Any, **kwargs: Any) -> list[Any]:
        return list(self._c.distinct(*args, **kwargs))

    async def count_documents(self, *args: Any, **kwargs: Any) -> int:
        return int(self._c.count_documents(*args, **kwargs))

    async def create_index(self, *args: Any, **kwargs: Any) -> str:
        return str(self._c.create_index(*args, **kwargs))

    async def index_information(self) -> dict[str, Any]:
        return dict(self._c.index_information())


class AsyncDatabase:
    def __init__(self, database: Any) -> None:
        self._db = database

    @property
    def name(self) -> str:
        return str(self._db.name)

    def __getitem__(self, name: str) -> AsyncCollection:
        return AsyncCollection(self._db[name])

    async def command(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return dict(self._db.command(*args, **kwargs))


class AsyncMongoMockClient:
    """Stands in for an AsyncMongoClient. `close()` keeps the data, like a server would."""

    def __init__(self, *, tz_aware: bool = True) -> None:
        self._client: Any = mongomock.MongoClient(tz_aware=tz_aware)

    def __getitem__(self, name: str) -> AsyncDatabase:
        return AsyncDatabase(self._client[name])

    @property
    def admin(self) -> AsyncDatabase:
        return self["admin"]

    async def close(self) -> None:
        """Nothing to release; the data outlives the store, as a server's would."""
