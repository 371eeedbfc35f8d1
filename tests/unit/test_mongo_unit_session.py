"""Inside a transactional unit, every collection call of the unit's task carries its session;
outside it (or in another task), none does. A stand-in collection records the calls: no
MongoDB replica set can run here (with MONGODB_URI set to one, the contract suite's rollback
test runs the real thing)."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Any

from app.store.mongo.base import _InUnit


class RecordingCollection:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def insert_one(self, doc: dict[str, Any], **kwargs: Any) -> None:
        self.calls.append(("insert_one", kwargs))

    name = "threads"


async def test_calls_carry_the_session_only_in_the_unit_task() -> None:
    raw = RecordingCollection()
    current: ContextVar[Any] = ContextVar("session", default=None)
    threads = _InUnit(raw, current)  # type: ignore[arg-type]
    session = object()

    await threads.insert_one({"_id": "before"})
    token = current.set(session)
    try:
        await threads.insert_one({"_id": "inside"})
        elsewhere = asyncio.get_running_loop().run_in_executor(None, lambda: current.get())
        assert await elsewhere is None  # another thread's context sees no session
        await threads.outside.insert_one({"_id": "seq counter"})
    finally:
        current.reset(token)
    await threads.insert_one({"_id": "after"})

    assert raw.calls == [
        ("insert_one", {}),
        ("insert_one", {"session": session}),
        ("insert_one", {}),
        ("insert_one", {}),
    ]
    assert threads.name == "threads"
