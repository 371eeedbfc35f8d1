"""Contract: FAQ entries and their search."""

from __future__ import annotations

import dataclasses

from app.domain.knowledge import FaqEntry
from app.domain.text import search_terms
from app.store.port import Store

from .conftest import Backend
from .helpers import BAG, WATCH, Factory, at


def entry(thread_id: str, question: str, answer: str = "Oui.", room: str = WATCH,
          minutes: float = 0) -> FaqEntry:  # fmt: skip
    return FaqEntry(room, question, answer, thread_id, "fr", "s1", at(minutes), at(minutes))


async def save(store: Store, e: FaqEntry) -> FaqEntry:
    await store.save_faq(e, search_terms(f"{e.question} {e.answer}"))
    return e


async def test_entries_are_kept_per_room_oldest_first_and_replaced_by_id(
    backend: Backend,
) -> None:
    store = backend.make()
    await store.open()
    strap = await save(store, entry("t1", "Le bracelet est-il réglable ?", minutes=1))
    battery = await save(store, entry("t2", "Quelle pile utilise-t-elle ?", minutes=2))
    await save(store, entry("t3", "Le cuir est-il véritable ?", room=BAG, minutes=3))
    edited = dataclasses.replace(strap, answer="Oui, avec l'outil fourni.", updated_at=at(9))
    await save(store, edited)
    await store.close()
    reopened = backend.make()  # survives a reopen
    await reopened.open()
    assert [e.id for e in await reopened.room_faq(WATCH)] == [strap.id, battery.id]
    assert await reopened.get_faq(strap.id) == edited
    assert await reopened.faq_for_thread("t2") == battery
    assert await reopened.faq_for_thread("t9") is None
    assert await reopened.get_faq("nope") is None
    await reopened.close()


async def test_search_finds_the_best_matching_entries_of_the_room(store: Store) -> None:
    strap = await save(store, entry("t1", "Le bracelet est-il réglable ?", "Oui, maillons."))
    await save(store, entry("t2", "Quelle pile utilise-t-elle ?", "Une CR2032.", minutes=1))
    await save(store, entry("t3", "Bracelet en cuir ?", "Oui.", room=BAG, minutes=2))
    found = await store.search_faq(WATCH, search_terms("bracelet trop grand, réglable ?"), 5)
    assert [e.id for e in found] == [strap.id]
    assert await store.search_faq(WATCH, search_terms("pile"), 1) != []
    assert await store.search_faq(WATCH, [], 5) == []
    assert await store.search_faq("shop.example/none", search_terms("pile"), 5) == []


async def test_deleting_an_entry_removes_it_and_its_search(store: Store) -> None:
    strap = await save(store, entry("t1", "Le bracelet est-il réglable ?"))
    assert await store.delete_faq(strap.id) == strap
    assert await store.delete_faq(strap.id) is None
    assert await store.room_faq(WATCH) == []
    assert await store.search_faq(WATCH, search_terms("bracelet"), 5) == []


async def test_erasing_a_visitor_removes_faq_entries_made_from_their_words(
    store: Store, make: Factory
) -> None:
    mine, _ = await make.ask("Le bracelet est-il réglable ?", author="eve")
    theirs, _ = await make.ask("La pile ?", author="other")
    await make.answer(theirs, "Une CR2032.", author="eve")
    kept, _ = await make.ask("Le verre ?", author="other")
    for thread in (mine, theirs, kept):
        await save(store, entry(thread.id, thread.body))
    await store.erase_visitor("eve", "Anonyme eve", at(60))
    assert [e.thread_id for e in await store.room_faq(WATCH)] == [kept.id]


async def test_answered_rooms_are_those_with_an_answered_question_or_an_faq(
    store: Store, make: Factory
) -> None:
    asked, _ = await make.ask("Étanche ?")  # WATCH: open, no answer
    assert await store.answered_rooms(10) == []
    await make.answer(asked)
    await make.hold("Ma commande ?", room_key=BAG)  # held: never counts
    assert await store.answered_rooms(10) == [WATCH]
    await save(store, entry("t9", "Le cuir ?", room=BAG))
    assert await store.answered_rooms(10) == sorted([WATCH, BAG])
    assert await store.answered_rooms(1) == sorted([WATCH, BAG])[:1]
