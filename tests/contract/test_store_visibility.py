"""The storage contract for what the crowd may see: held threads, private and held messages,
their release, and the thread and visitor fields moderation added."""

from __future__ import annotations

import dataclasses

import pytest

from app.domain.errors import Conflict, DuplicateClientId
from app.domain.models import EventType, ThreadStatus, Visibility, Visitor
from app.domain.text import search_terms
from app.store.port import Store

from .helpers import WATCH, Factory, all_events, answered, at


async def test_held_thread_is_stored_without_event_listing_or_search(
    store: Store, make: Factory
) -> None:
    published, _ = await make.ask("La montre est-elle étanche ?")
    held = await make.hold("Montre étanche ? Mon numéro 06 12 34 56 78", category="montres")

    assert held.seq == 0
    assert await store.get_thread(held.id) == held
    assert (await store.get_thread(held.id)).held is True  # type: ignore[union-attr]
    assert await store.find_thread_by_client_id("asker", held.client_id) == held
    assert [e.entity_id for e in await all_events(store)] == [published.id]
    assert (await store.get_room(WATCH)).seq == 1  # type: ignore[union-attr]
    assert [t.id for t in await store.list_threads(WATCH)] == [published.id]

    # Answered while held: still no event, and search does not find it.
    for thread in (published, held):
        message = make.message(thread)
        answered(thread, message.created_at)
        event = await store.insert_message(message, thread)
        assert (event is None) is (thread is held)
    assert held.version == 1
    assert await store.get_thread(held.id) == held
    found = await store.search_answered(WATCH, search_terms("montre étanche"))
    assert [t.id for t in found] == [published.id]
    assert [e.entity_id for e in await all_events(store)] == [published.id, f"m{make.n - 1}"]


async def test_release_thread_publishes_it_with_the_next_seq(store: Store, make: Factory) -> None:
    published, _ = await make.ask("Quelle taille de bracelet ?")
    held = await make.hold("La montre est-elle étanche ?")
    message = make.message(held)
    answered(held, message.created_at)
    assert await store.insert_message(message, held) is None
    held.status = ThreadStatus.RESOLVED
    assert await store.update_thread(held) is None  # held: no thread.updated either
    assert len(await all_events(store)) == 1

    event = await store.release_thread(held, search_terms(held.body))

    assert (event.room, event.seq, event.type, event.entity_id) == (
        WATCH,
        2,
        EventType.THREAD_CREATED,
        held.id,
    )
    assert (held.held, held.seq, held.version) == (False, 2, 3)
    assert await store.get_thread(held.id) == held
    assert [t.id for t in await store.list_threads(WATCH)] == [held.id, published.id]
    assert [t.id for t in await store.search_answered(WATCH, ["etanch"])] == [held.id]
    assert await store.events_since(WATCH, 1) == [event]
    assert (await store.get_room(WATCH)).seq == 2  # type: ignore[union-attr]
    # Published now: its next change is announced again.
    held.status = ThreadStatus.ANSWERED
    updated = await store.update_thread(held)
    assert updated is not None
    assert (updated.type, updated.seq) == (EventType.THREAD_UPDATED, 3)


async def test_release_of_a_stale_thread_conflicts_and_publishes_nothing(
    store: Store, make: Factory
) -> None:
    held = await make.hold("La montre est-elle étanche ?")
    stale = dataclasses.replace(held)
    held.status = ThreadStatus.ESCALATED
    await store.update_thread(held)

    with pytest.raises(Conflict):
        await store.release_thread(stale, search_terms(stale.body))

    assert await store.get_thread(held.id) == held
    assert await store.list_threads(WATCH) == []
    assert await all_events(store) == []
    released = await store.release_thread(held, search_terms(held.body))
    assert released.entity_id == held.id
    assert [t.id for t in await store.list_threads(WATCH)] == [held.id]


async def test_duplicate_held_thread_client_id_raises(store: Store, make: Factory) -> None:
    first = await make.hold("Mon adresse est 3 rue des Lilas", client_id="send-1")
    retry = make.thread(first.body, client_id="send-1", held=True)
    with pytest.raises(DuplicateClientId):
        await store.insert_thread(retry, search_terms(retry.body))
    assert await store.get_thread(retry.id) is None
    assert await store.find_thread_by_client_id("asker", "send-1") == first


async def test_only_public_messages_in_published_threads_are_announced(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?")
    private = make.message(thread, "Votre commande 1234 ?", author="staff-1",
                           visibility=Visibility.PRIVATE)  # fmt: skip
    held = make.message(thread, "Appelez le 06 12 34 56 78", visibility=Visibility.HELD)
    public = make.message(thread, "Oui, 50 m.")

    for message in (private, held):
        answered(thread, message.created_at)
        assert await store.insert_message(message, thread) is None
    answered(thread, public.created_at)
    event = await store.insert_message(public, thread)

    assert event is not None
    assert (event.type, event.entity_id, event.seq) == (EventType.MESSAGE_CREATED, public.id, 2)
    assert [e.entity_id for e in await all_events(store)] == [thread.id, public.id]
    assert await store.list_messages(thread.id) == [private, held, public]
    assert await store.get_message(private.id) == private
    assert (await store.get_message(held.id)).visibility is Visibility.HELD  # type: ignore[union-attr]
    assert thread.version == 3
    assert await store.get_thread(thread.id) == thread


async def test_update_message_saves_visibility_and_announces_only_public(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?")
    message = make.message(thread, "Appelez le 06 12 34 56 78", visibility=Visibility.HELD)
    answered(thread, message.created_at)
    await store.insert_message(message, thread)

    message.body = "Appelez le [numéro masqué]"
    assert await store.update_message(message) is None  # still held: nothing announced
    assert await store.get_message(message.id) == message
    assert len(await all_events(store)) == 1

    message.visibility = Visibility.PUBLIC  # staff released it
    event = await store.update_message(message, EventType.MESSAGE_CREATED)

    assert event is not None
    assert (event.type, event.entity_id, event.seq) == (EventType.MESSAGE_CREATED, message.id, 2)
    assert await store.get_message(message.id) == message
    message.hidden = True
    hidden = await store.update_message(message)
    assert hidden is not None
    assert (hidden.type, hidden.seq) == (EventType.MESSAGE_UPDATED, 3)
    message.visibility = Visibility.PRIVATE
    assert await store.update_message(message) is None
    assert await store.get_message(message.id) == message
    assert (await all_events(store))[1:] == [event, hidden]


async def test_update_of_unknown_held_message_conflicts(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?")
    ghost = make.message(thread, visibility=Visibility.HELD)
    with pytest.raises(Conflict):
        await store.update_message(ghost, EventType.MESSAGE_CREATED)
    assert len(await all_events(store)) == 1


async def test_thread_fields_for_moderation_round_trip(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?", category="montres")
    thread.next_check_at = at(60)
    thread.nudged = True
    thread.status = ThreadStatus.ESCALATED

    event = await store.update_thread(thread)

    assert event is not None
    assert event.type is EventType.THREAD_UPDATED
    stored = await store.get_thread(thread.id)
    assert stored == thread
    assert stored is not None
    assert (stored.category, stored.next_check_at, stored.nudged) == ("montres", at(60), True)
    thread.next_check_at = None
    thread.nudged = False
    await store.update_thread(thread)
    assert await store.get_thread(thread.id) == thread


async def test_update_visitor_saves_name_and_ban(store: Store) -> None:
    visitor = Visitor("v1", "Camille", at(0))
    await store.add_visitor(visitor)

    visitor.name = "Camille B."
    visitor.banned_until = at(24 * 60)
    await store.update_visitor(visitor)
    assert await store.get_visitor("v1") == visitor

    visitor.banned_until = None  # ban lifted
    await store.update_visitor(visitor)
    assert await store.get_visitor("v1") == visitor
    assert (await store.get_visitor("v1")).banned_until is None  # type: ignore[union-attr]


async def test_held_threads_of_shows_an_author_their_own_held_questions(
    store: Store, make: Factory
) -> None:
    await make.ask("Public question ?")
    first = await make.hold("Mon numéro 06 12 34 56 78", category="montres")
    second = await make.hold("Mon mail a@b.fr", category="montres")
    mine = await store.held_threads_of("asker", WATCH)
    assert [t.id for t in mine] == [second.id, first.id]  # newest first
    assert await store.held_threads_of("someone else", WATCH) == []
    assert await store.held_threads_of("asker", "another-room") == []
    await store.release_thread(first, ["numero"])
    assert [t.id for t in await store.held_threads_of("asker", WATCH)] == [second.id]


async def test_visitor_shopper_identity_round_trips(store: Store) -> None:
    verified = Visitor(id="v-shop", name="Camille", created_at=at(0), shopper_id="customer-42")
    anonymous = Visitor(id="v-anon", name="Hugo", created_at=at(0))
    for visitor in (verified, anonymous):
        await store.add_visitor(visitor)
        assert await store.get_visitor(visitor.id) == visitor
