"""The storage contract: behaviour every adapter of `app.store.port.Store` must show.

Datetimes here are whole milliseconds: that is what BSON dates keep, and the contract is
about instants, not sub-millisecond digits (one test checks the precision bound itself).
Builders are in `helpers.py`; what the crowd may see (held threads, private and held
messages) is in `test_store_visibility.py`, staff, cases and the sweeper's queries in
`test_store_moderation.py`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.domain.errors import Conflict, DuplicateClientId
from app.domain.models import EventType, ThreadStatus, Visitor
from app.domain.text import search_terms
from app.store.port import Store

from .conftest import Backend
from .helpers import BAG, WATCH, Factory, all_events, answered, at, room

HOSTILE: list[Any] = [{"$ne": None}, {"$gt": ""}, ["x"], None, 1]
# What an adapter may raise when handed a non-string id instead of quietly finding nothing
# (the SQLite driver refuses to bind a dict or a list).
REJECTED = (TypeError, ValueError, sqlite3.InterfaceError, sqlite3.ProgrammingError)


# lifecycle and visitors ----------------------------------------------------------------------
async def test_ping_answers(store: Store) -> None:
    await store.ping()


async def test_visitor_round_trips_with_aware_datetimes(store: Store) -> None:
    paris = timezone(timedelta(hours=2))
    banned = Visitor("v1", "Camille", at(1), banned_until=datetime(2025, 3, 2, 9, 30, tzinfo=paris))
    plain = Visitor("v2", "Léa", at(2))
    await store.add_visitor(banned)
    await store.add_visitor(plain)

    got = await store.get_visitor("v1")
    assert got == banned  # aware datetimes compare as instants
    assert got.created_at.utcoffset() == timedelta(0)
    assert got.banned_until is not None
    assert got.banned_until.tzinfo is not None
    assert await store.get_visitor("v2") == plain
    assert await store.get_visitor("nobody") is None


async def test_datetimes_keep_at_least_milliseconds(store: Store) -> None:
    precise = Visitor("v1", "Camille", datetime(2025, 3, 1, 12, 0, 0, 123_456, tzinfo=UTC))
    await store.add_visitor(precise)
    got = await store.get_visitor("v1")
    assert got is not None
    assert got.created_at.tzinfo is not None
    assert abs(got.created_at - precise.created_at) < timedelta(milliseconds=1)


# rooms -------------------------------------------------------------------------------------
async def test_ensure_room_creates_once_and_keeps_the_stored_room(store: Store) -> None:
    first = await store.ensure_room(room(title="Montre Alpina"))
    assert first == room(title="Montre Alpina")
    assert first.seq == 0

    again = await store.ensure_room(room(title="Another title"))
    assert again.title == "Montre Alpina"
    assert await store.get_room(WATCH) == first
    assert await store.get_room("shop.example/unknown") is None


# threads -----------------------------------------------------------------------------------
async def test_insert_thread_assigns_increasing_seq_per_room(store: Store, make: Factory) -> None:
    seqs = []
    for body in ("Est-elle étanche ?", "Quelle taille de bracelet ?", "Livrée avec une boîte ?"):
        thread, event = await make.ask(body)
        assert event.seq == thread.seq
        assert (event.room, event.type, event.entity_id) == (
            WATCH,
            EventType.THREAD_CREATED,
            thread.id,
        )
        seqs.append(thread.seq)
    assert seqs == [1, 2, 3]

    other, _ = await make.ask("Le cuir est-il végétal ?", room_key=BAG)
    assert other.seq == 1  # independent rooms, independent sequences
    assert (await store.get_room(WATCH)).seq == 3  # type: ignore[union-attr]
    assert (await store.get_room(BAG)).seq == 1  # type: ignore[union-attr]


async def test_thread_round_trips(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?")
    assert await store.get_thread(thread.id) == thread
    assert await store.find_thread_by_client_id("asker", thread.client_id) == thread
    assert await store.find_thread_by_client_id("helper", thread.client_id) is None
    assert await store.get_thread("nope") is None


async def test_duplicate_thread_client_id_raises_and_appends_nothing(
    store: Store, make: Factory
) -> None:
    first, _ = await make.ask("Est-elle étanche ?", client_id="send-1")
    retry = make.thread("Est-elle étanche ?", client_id="send-1")

    with pytest.raises(DuplicateClientId):
        await store.insert_thread(retry, search_terms(retry.body))

    assert [e.entity_id for e in await all_events(store)] == [first.id]
    assert await store.get_thread(retry.id) is None
    assert await store.find_thread_by_client_id("asker", "send-1") == first
    # the same client_id from someone else is a different send
    _, event = await make.ask("Et en plongée ?", author="camille", client_id="send-1")
    assert event.seq == 2


async def test_thread_in_unknown_room_is_refused_and_stores_nothing(
    store: Store, make: Factory
) -> None:
    stray = make.thread("Hello?", room_key="shop.example/nowhere")
    with pytest.raises(Conflict):
        await store.insert_thread(stray, ["hello"])
    assert await store.get_thread(stray.id) is None
    assert await store.find_thread_by_client_id("asker", stray.client_id) is None


async def test_update_thread_bumps_version_and_appends_event(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    thread.status = ThreadStatus.ESCALATED
    thread.updated_at = at(30)

    event = await store.update_thread(thread)
    assert event is not None

    assert thread.version == 1
    assert (event.type, event.entity_id, event.seq) == (EventType.THREAD_UPDATED, thread.id, 2)
    assert await store.get_thread(thread.id) == thread


async def test_stale_thread_update_conflicts_and_changes_nothing(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    stale = dataclasses.replace(thread)
    thread.status = ThreadStatus.ESCALATED
    await store.update_thread(thread)

    stale.status = ThreadStatus.HIDDEN
    with pytest.raises(Conflict):
        await store.update_thread(stale)

    assert stale.version == 0
    assert await store.get_thread(thread.id) == thread
    assert len(await all_events(store)) == 2


# messages ----------------------------------------------------------------------------------
async def test_insert_message_updates_thread_and_appends_event(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    message = make.message(thread, "Oui, 50 m.", client_id="send-9")
    answered(thread, message.created_at)

    event = await store.insert_message(message, thread)
    assert event is not None

    assert (event.room, event.type, event.entity_id, event.seq) == (
        WATCH,
        EventType.MESSAGE_CREATED,
        message.id,
        2,
    )
    assert thread.version == 1
    stored = await store.get_thread(thread.id)
    assert stored == thread
    assert (stored.status, stored.answer_count, stored.version) == (ThreadStatus.ANSWERED, 1, 1)
    assert await store.get_message(message.id) == message
    assert await store.find_message_by_client_id("helper", "send-9") == message
    assert await store.find_message_by_client_id("asker", "send-9") is None
    assert await store.get_message("nope") is None


async def test_duplicate_message_client_id_raises_and_changes_nothing(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    first = await make.answer(thread, client_id="send-2")
    retry = make.message(thread, client_id="send-2")
    answered(thread, retry.created_at)

    with pytest.raises(DuplicateClientId):
        await store.insert_message(retry, thread)

    assert thread.version == 1  # unchanged by the refused write
    stored = await store.get_thread(thread.id)
    assert (stored.answer_count, stored.version) == (1, 1)  # type: ignore[union-attr]
    assert await store.get_message(retry.id) is None
    assert await store.find_message_by_client_id("helper", "send-2") == first
    assert [e.entity_id for e in await all_events(store)] == [thread.id, first.id]


async def test_message_on_stale_thread_conflicts_and_stores_nothing(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    stale = dataclasses.replace(thread)
    first = await make.answer(thread)

    late = make.message(stale, "Oui aussi.")
    answered(stale, late.created_at)
    with pytest.raises(Conflict):
        await store.insert_message(late, stale)

    assert await store.get_message(late.id) is None
    assert await store.find_message_by_client_id("helper", late.client_id) is None
    stored = await store.get_thread(thread.id)
    assert (stored.answer_count, stored.version) == (1, 1)  # type: ignore[union-attr]
    assert len(await all_events(store)) == 2
    assert [m.id for m in await store.list_messages(thread.id)] == [first.id]


async def test_message_in_unknown_room_is_refused_and_stores_nothing(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    stray = dataclasses.replace(make.message(thread), room="shop.example/nowhere")
    copy = dataclasses.replace(thread)
    answered(copy, stray.created_at)

    with pytest.raises(Conflict):
        await store.insert_message(stray, copy)

    assert await store.get_message(stray.id) is None
    assert await store.get_thread(thread.id) == thread
    assert len(await all_events(store)) == 1


async def test_list_messages_oldest_first_including_hidden(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    late = await make.answer(thread, "Trois", created_at=at(90))
    early = await make.answer(thread, "Un", created_at=at(60))
    middle = await make.answer(thread, "Deux", created_at=at(75))
    middle.hidden = True
    await store.update_message(middle)

    listed = await store.list_messages(thread.id)

    assert [m.id for m in listed] == [early.id, middle.id, late.id]
    assert listed[1].hidden is True
    assert await store.list_messages("nope") == []


async def test_messages_of_several_threads_in_one_read(store: Store, make: Factory) -> None:
    first, _ = await make.ask("Est-elle étanche ?")
    second, _ = await make.ask("Quelle taille ?")
    silent, _ = await make.ask("Et la couleur ?")
    late = await make.answer(first, "Deux", created_at=at(90))
    early = await make.answer(first, "Un", created_at=at(60))
    other = await make.answer(second, "Oui")

    found = await store.messages_of([first.id, second.id, silent.id, "nope"])

    assert {k: [m.id for m in v] for k, v in found.items()} == {
        first.id: [early.id, late.id], second.id: [other.id], silent.id: [], "nope": [],
    }  # fmt: skip
    assert found[first.id] == await store.list_messages(first.id)
    assert await store.messages_of([]) == {}


async def test_update_message_hides_and_appends_event(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    message = await make.answer(thread, "Achetez ailleurs !")
    message.hidden = True

    event = await store.update_message(message)
    assert event is not None

    assert (event.type, event.entity_id, event.seq) == (EventType.MESSAGE_UPDATED, message.id, 3)
    assert (await store.get_message(message.id)).hidden is True  # type: ignore[union-attr]
    message.hidden = False
    await store.update_message(message)
    assert (await store.get_message(message.id)).hidden is False  # type: ignore[union-attr]


async def test_update_of_unknown_message_conflicts_without_event(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    ghost = make.message(thread)  # never stored
    with pytest.raises(Conflict):
        await store.update_message(ghost)
    assert len(await all_events(store)) == 1


# votes -------------------------------------------------------------------------------------
async def test_votes_are_one_per_voter_and_recounted(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    message = await make.answer(thread)

    counts = []
    for voter, value in [("ana", 1), ("ben", 1), ("ana", 1), ("ben", 0), ("ben", 0), ("ben", 1)]:
        recounted, event = await store.set_vote(message.id, voter, value)
        assert (event.type, event.entity_id) == (EventType.MESSAGE_UPDATED, message.id)
        counts.append(recounted.votes)

    assert counts == [1, 2, 2, 1, 1, 2]
    assert (await store.get_message(message.id)).votes == 2  # type: ignore[union-attr]
    assert [e.seq for e in await all_events(store)] == list(range(1, 9))


async def test_vote_on_unknown_message_conflicts_without_event(store: Store, make: Factory) -> None:
    await make.ask("Est-elle étanche ?")
    with pytest.raises(Conflict):
        await store.set_vote("nope", "ana", 1)
    assert len(await all_events(store)) == 1


# events ------------------------------------------------------------------------------------
async def test_events_since_returns_exactly_what_followed(store: Store, make: Factory) -> None:
    thread, e1 = await make.ask("Est-elle étanche ?")
    message = make.message(thread)
    answered(thread, message.created_at)
    e2 = await store.insert_message(message, thread)
    _, e3 = await store.set_vote(message.id, "ana", 1)
    thread.status = ThreadStatus.RESOLVED
    e4 = await store.update_thread(thread)
    await make.ask("Le cuir est-il végétal ?", room_key=BAG)
    assert e2 is not None and e4 is not None
    written = [e1, e2, e3, e4]

    assert await store.events_since(WATCH, 0) == written  # returned events equal stored ones
    assert [e.seq for e in written] == [1, 2, 3, 4]
    assert await store.events_since(WATCH, 2) == [e3, e4]
    assert await store.events_since(WATCH, 0, limit=2) == [e1, e2]
    assert await store.events_since(WATCH, 1, limit=2) == [e2, e3]
    assert await store.events_since(WATCH, 4) == []
    assert await store.events_since("shop.example/unknown", 0) == []
    assert all(e.created_at.tzinfo is not None for e in written)
    assert [e.room for e in await store.events_since(BAG, 0)] == [BAG]


# listing -----------------------------------------------------------------------------------
async def test_list_threads_newest_first_with_filter_and_cursor(
    store: Store, make: Factory
) -> None:
    threads = [(await make.ask(f"Question {i} ?"))[0] for i in range(5)]
    for t in threads[1::2]:  # t2 and t4 answered
        await make.answer(t)
    await make.ask("Autre salle ?", room_key=BAG)
    ids = [t.id for t in threads]

    assert [t.id for t in await store.list_threads(WATCH)] == ids[::-1]
    page1 = await store.list_threads(WATCH, limit=2)
    page2 = await store.list_threads(WATCH, before_seq=page1[-1].seq, limit=2)
    page3 = await store.list_threads(WATCH, before_seq=page2[-1].seq, limit=2)
    assert [[t.id for t in p] for p in (page1, page2, page3)] == [ids[4:2:-1], ids[2:0:-1], ids[:1]]
    assert await store.list_threads(WATCH, before_seq=page3[-1].seq) == []

    answered_ids = [t.id for t in await store.list_threads(WATCH, status=ThreadStatus.ANSWERED)]
    assert answered_ids == [ids[3], ids[1]]
    open_ids = [t.id for t in await store.list_threads(WATCH, status=ThreadStatus.OPEN, limit=2)]
    assert open_ids == [ids[4], ids[2]]
    assert await store.list_threads("shop.example/unknown") == []
    listed = {t.id: t for t in await store.list_threads(WATCH)}
    assert listed == {t.id: t for t in threads}


async def test_batch_reads_return_what_exists(store: Store, make: Factory) -> None:
    t1, _ = await make.ask("Est-elle étanche ?")
    t2, _ = await make.ask("Quelle taille ?")
    m1 = await make.answer(t1)
    m2 = await make.answer(t2)

    threads = await store.get_threads([t2.id, "nope", t1.id])
    assert sorted(threads, key=lambda t: t.id) == sorted([t1, t2], key=lambda t: t.id)
    messages = await store.get_messages([m1.id, m2.id, "nope"])
    assert sorted(messages, key=lambda m: m.id) == sorted([m1, m2], key=lambda m: m.id)
    assert await store.get_threads([]) == []
    assert await store.get_messages([]) == []


# search ------------------------------------------------------------------------------------
async def test_search_answered_finds_similar_answered_questions(
    store: Store, make: Factory
) -> None:
    waterproof, _ = await make.ask("La montre est-elle étanche ?")
    strap, _ = await make.ask("La montre est-elle livrée avec un bracelet en cuir ?")
    glass, _ = await make.ask("Le verre de la montre est-il en saphir ?")
    unanswered, _ = await make.ask("Montre étanche jusqu'à quelle profondeur ?")
    elsewhere, _ = await make.ask("La montre est-elle étanche ?", room_key=BAG)
    for t in (waterproof, strap, glass, elsewhere):
        await make.answer(t)
    glass.status = ThreadStatus.RESOLVED
    await store.update_thread(glass)

    found = await store.search_answered(WATCH, search_terms("montre etanche"))

    ids = [t.id for t in found]
    assert ids[0] == waterproof.id  # shares both stems: the better match comes first
    assert unanswered.id not in ids
    assert elsewhere.id not in ids
    assert set(ids) <= {waterproof.id, strap.id, glass.id}
    assert found[0] == await store.get_thread(waterproof.id)

    assert [t.id for t in await store.search_answered(WATCH, search_terms("SAPHIR"))] == [glass.id]
    assert [
        t.id for t in await store.search_answered(WATCH, search_terms("étanche montre"), limit=1)
    ] == [waterproof.id]
    assert await store.search_answered(WATCH, search_terms("livraison colis")) == []
    assert await store.search_answered(WATCH, []) == []


# durability --------------------------------------------------------------------------------
async def test_data_survives_close_and_reopen(backend: Backend) -> None:
    first = backend.make()
    await first.open()
    await first.ensure_room(room())
    make = Factory(first)
    await first.add_visitor(Visitor("v1", "Camille", at(0)))
    thread, _ = await make.ask("La montre est-elle étanche ?")
    message = await make.answer(thread)
    await first.set_vote(message.id, "ana", 1)
    events = await all_events(first)
    await first.close()

    second = backend.make()
    await second.open()  # opening an existing database is safe
    try:
        assert await second.get_visitor("v1") == Visitor("v1", "Camille", at(0))
        assert await second.get_thread(thread.id) == thread
        assert (await second.get_message(message.id)).votes == 1  # type: ignore[union-attr]
        assert await all_events(second) == events
        assert (await second.get_room(WATCH)).seq == 3  # type: ignore[union-attr]
        assert [t.id for t in await second.search_answered(WATCH, ["montr"])] == [thread.id]
        make.store = second
        _, event = await make.ask("Et le bracelet ?")
        assert event.seq == 4  # the sequence carries on where it stopped
    finally:
        await second.close()


# hostile input -----------------------------------------------------------------------------
async def rejected_or_empty(call: Any) -> bool:
    """True when the adapter found nothing or refused the value outright."""
    try:
        result = await call
    except REJECTED:
        return True
    return result is None or result == []


@pytest.mark.parametrize("hostile", HOSTILE, ids=repr)
async def test_operator_values_never_match_anything(
    store: Store, make: Factory, hostile: Any
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    await make.answer(thread)
    await store.add_visitor(Visitor("v1", "Camille", at(0)))

    for call in (
        store.get_thread(hostile),
        store.get_message(hostile),
        store.get_visitor(hostile),
        store.get_room(hostile),
        store.get_threads([hostile]),
        store.get_messages([hostile]),
        store.find_thread_by_client_id(hostile, hostile),
        store.find_thread_by_client_id("asker", hostile),
        store.find_message_by_client_id(hostile, hostile),
        store.list_threads(hostile),
        store.list_messages(hostile),
        store.search_answered(hostile, ["montr"]),
        store.events_since(hostile, 0),
    ):
        assert await rejected_or_empty(call)


@pytest.mark.parametrize("hostile", [{"$ne": None}, {"$exists": True}], ids=repr)
async def test_operator_values_never_reach_a_write(
    store: Store, make: Factory, hostile: Any
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    message = await make.answer(thread)
    forged = dataclasses.replace(thread, id=hostile, status=ThreadStatus.HIDDEN, version=1)

    with pytest.raises(REJECTED):
        await store.update_thread(forged)
    with pytest.raises(REJECTED):
        await store.set_vote(hostile, "ana", 1)
    with pytest.raises(REJECTED):
        await store.update_message(dataclasses.replace(message, id=hostile, hidden=True))

    assert await store.get_thread(thread.id) == thread
    assert await store.get_message(message.id) == message
    assert len(await all_events(store)) == 2


async def test_many_first_joins_at_once_all_get_the_one_room(store: Store) -> None:
    """Hundreds of shoppers opening a brand-new product page together: no join fails."""
    keys = [f"fresh-{n % 20}" for n in range(100)]  # 20 new rooms, five first joins each
    rooms = await asyncio.gather(*(store.ensure_room(room(key)) for key in keys))
    assert [r.key for r in rooms] == keys
    assert {r.seq for r in rooms} == {0}
