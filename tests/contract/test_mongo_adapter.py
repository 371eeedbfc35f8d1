"""Checks only the MongoDB adapter needs: indexes, URL parsing, crash ordering, time zones."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from app.domain.errors import DuplicateClientId
from app.domain.text import search_terms
from app.store import mongo as mongo_module
from app.store.mongo import MongoStore
from tests.mongomock_async import AsyncMongoMockClient

from .conftest import MONGODB_URI
from .test_store_contract import WATCH, Factory, room

EXPECTED_INDEXES = {
    "threads": {
        "threads_by_room_seq": ([("room", 1), ("seq", -1)], False),
        "threads_by_room_status_seq": ([("room", 1), ("status", 1), ("seq", -1)], False),
        "threads_by_room_terms": ([("room", 1), ("terms", 1)], False),
        "threads_by_client_id": ([("author_id", 1), ("client_id", 1)], True),
    },
    "messages": {
        "messages_by_thread": ([("thread_id", 1), ("created_at", 1), ("_id", 1)], False),
        "messages_by_client_id": ([("author_id", 1), ("client_id", 1)], True),
    },
    "votes": {"votes_by_message_voter": ([("message_id", 1), ("voter_id", 1)], True)},
    "events": {"events_by_room_seq": ([("room", 1), ("seq", 1)], True)},
}


async def test_open_creates_the_hot_query_indexes_idempotently(mongo_store: MongoStore) -> None:
    await mongo_store.open()  # a second open on an existing database changes nothing

    for collection, expected in EXPECTED_INDEXES.items():
        info = await mongo_store.database[collection].index_information()
        for name, (keys, unique) in expected.items():
            assert name in info, f"{collection} lacks {name}"
            assert [(k, int(d)) for k, d in info[name]["key"]] == keys
            assert bool(info[name].get("unique", False)) is unique


def stages(plan: Any) -> list[str]:
    """Every `stage` named anywhere in an explain document (classic or SBE layout)."""
    if isinstance(plan, dict):
        found = [plan["stage"]] if isinstance(plan.get("stage"), str) else []
        return found + [s for value in plan.values() for s in stages(value)]
    if isinstance(plan, list):
        return [s for item in plan for s in stages(item)]
    return []


@pytest.mark.skipif(not MONGODB_URI, reason="explain needs a real MongoDB (set MONGODB_URI)")
async def test_hot_queries_use_indexes_on_a_real_server(mongo_store: MongoStore) -> None:
    await mongo_store.ensure_room(room())
    make = Factory(mongo_store)
    for i in range(20):
        await make.ask(f"Question {i} sur la montre ?")
    db = mongo_store.database

    # The same query shapes as events_since and list_threads.
    replay = await (
        db["events"].find({"room": WATCH, "seq": {"$gt": 5}}).sort("seq", 1).limit(500).explain()
    )
    timeline = await (
        db["threads"]
        .find({"room": WATCH, "seq": {"$gt": 0, "$lt": 10}})
        .sort("seq", -1)
        .limit(20)
        .explain()
    )
    for plan in (replay, timeline):
        winning = stages(plan["queryPlanner"]["winningPlan"])
        assert "IXSCAN" in winning
        assert "COLLSCAN" not in winning


async def test_from_url_takes_the_database_from_the_path() -> None:
    named = MongoStore.from_url("mongodb://127.0.0.1:1/shop_one?serverSelectionTimeoutMS=100")
    default = MongoStore.from_url("mongodb://127.0.0.1:1/")
    chosen = MongoStore.from_url("mongodb://127.0.0.1:1/?w=1")
    try:
        assert named.database.name == "shop_one"
        assert default.database.name == "entraide"
        assert named.database.codec_options.tz_aware is True
        assert named.database.write_concern.document == {"w": "majority"}
        assert chosen.database.write_concern.document == {"w": 1}
    finally:
        for store in (named, default, chosen):
            await store.close()


async def test_naive_datetimes_read_back_as_aware_utc() -> None:
    store = MongoStore(AsyncMongoMockClient(tz_aware=False), "naive")  # type: ignore[arg-type]
    await store.open()
    await store.ensure_room(room())
    make = Factory(store)
    thread, _event = await make.ask("La montre est-elle étanche ?")

    stored = await store.get_thread(thread.id)
    assert stored is not None
    assert stored.created_at == thread.created_at
    assert stored.created_at.tzinfo is UTC
    assert (await store.events_since(WATCH, 0))[0].created_at.tzinfo is UTC
    assert (await store.get_room(WATCH)).created_at.tzinfo is UTC  # type: ignore[union-attr]
    await store.close()


async def test_crash_before_the_event_leaves_an_unannounced_thread(
    mongo_store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without transactions a crash mid-write must never leave an event pointing at nothing."""
    await mongo_store.ensure_room(room())
    make = Factory(mongo_store)
    thread = make.thread("La montre est-elle étanche ?", client_id="send-1")

    async def crash(self: MongoStore, room_key: str) -> int:
        raise RuntimeError("process killed")

    with monkeypatch.context() as patch:
        patch.setattr(mongo_module.MongoStore, "_next_seq", crash)
        with pytest.raises(RuntimeError):
            await mongo_store.insert_thread(thread, search_terms(thread.body))

    assert await mongo_store.events_since(WATCH, 0) == []
    assert await mongo_store.list_threads(WATCH) == []  # seq 0: never announced, not listed
    retry = make.thread(thread.body, client_id="send-1")
    with pytest.raises(DuplicateClientId):  # the client's retry lands once ...
        await mongo_store.insert_thread(retry, search_terms(retry.body))
    replay = await mongo_store.find_thread_by_client_id("asker", "send-1")
    assert replay is not None
    assert replay.id == thread.id
    _, event = await make.ask("Et le bracelet ?")
    assert event.seq == 1
