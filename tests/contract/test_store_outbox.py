"""Units of work and the outbox: what commits together, and what the commit hook hears."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.models import Event, utcnow
from app.domain.outbox import OutboxItem
from app.store.mongo import MongoStore
from app.store.port import Store

from .helpers import Factory


class Heard:
    def __init__(self) -> None:
        self.calls: list[tuple[list[Event], list[OutboxItem]]] = []

    def __call__(self, events: list[Event], items: list[OutboxItem]) -> None:
        self.calls.append((list(events), list(items)))


async def test_a_unit_commits_its_entity_event_and_outbox_items_together(
    store: Store, make: Factory
) -> None:
    heard = Heard()
    store.on_commit(heard)
    item = OutboxItem("vote.cast", {"message_id": "m1", "voter_id": "v1", "value": 1})
    async with store.atomic() as unit:
        _, event = await make.ask("Étanche ?")
        unit.publish(item)
        assert heard.calls == []  # nothing is announced before the commit
    assert [([e.seq for e in events], [i.id for i in items]) for events, items in heard.calls] == [
        ([event.seq], [item.id])
    ]
    pending = await store.pending_outbox(utcnow(), 10)
    assert [(i.id, i.kind, i.refs) for i in pending] == [(item.id, item.kind, item.refs)]
    assert await store.pending_outbox(utcnow() - timedelta(minutes=1), 10) == []
    await store.outbox_done([item.id, "unknown"])
    assert await store.pending_outbox(utcnow(), 10) == []


async def test_plain_writes_outside_a_unit_are_heard_too(store: Store, make: Factory) -> None:
    heard = Heard()
    store.on_commit(heard)
    _, event = await make.ask("Étanche ?")
    assert [[e.seq for e in events] for events, _ in heard.calls] == [[event.seq]]


async def test_a_failed_unit_stores_and_announces_nothing(store: Store, make: Factory) -> None:
    if isinstance(store, MongoStore) and not store.transactions:
        pytest.skip("MongoDB without a replica set has no transactions: no rollback (documented)")
    heard = Heard()
    store.on_commit(heard)
    stored: list[str] = []

    async def crash_before_commit() -> None:
        async with store.atomic() as unit:
            thread, _ = await make.ask("Étanche ?")
            stored.append(thread.id)
            unit.publish(OutboxItem("vote.cast", {"message_id": "m1"}))
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        await crash_before_commit()
    [thread_id] = stored
    assert heard.calls == []
    assert await store.get_thread(thread_id) is None
    assert await store.pending_outbox(utcnow(), 10) == []
