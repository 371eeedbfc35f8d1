"""Contract: FAQ entries and their search."""

from __future__ import annotations

import dataclasses

from app.domain.knowledge import Embeddable, FaqEntry, Vector
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


# vectors -----------------------------------------------------------------------------------
MODEL, OTHER_MODEL = "model-a", "model-b"


def vec(item: Embeddable, n: int, lang: str = "fr") -> Vector:
    return Vector(item.ref, item.room, lang, bytes([n]) * 16)


async def test_unembedded_lists_published_answered_questions_and_faq_by_id(
    store: Store, make: Factory
) -> None:
    answered, _ = await make.ask("Étanche à 100 m ?")
    await make.answer(answered)
    await make.ask("Sans réponse ?")  # open: nothing to embed yet
    held = await make.hold("Ma commande 1234 ?")
    await make.answer(held)  # held: never published, never embedded
    other, _ = await make.ask("Le cuir ?", room_key=BAG)
    await make.answer(other)
    faq = await save(store, entry(answered.id, "Étanche ?"))
    found, cursor = await store.unembedded("thread", MODEL, limit=10)
    assert sorted((e.ref, e.room, e.text) for e in found) == sorted([
        (f"thread:{answered.id}", WATCH, "Étanche à 100 m ?"),
        (f"thread:{other.id}", BAG, "Le cuir ?"),
    ]) and cursor is None  # fmt: skip
    [first], cursor = await store.unembedded("thread", MODEL, limit=1)  # paged by id
    [second], last = await store.unembedded("thread", MODEL, after=cursor or "", limit=1)
    assert first.id < second.id and cursor == first.id
    assert (await store.unembedded("thread", MODEL, after=last or "", limit=1)) == ([], None)
    [listed], _ = await store.unembedded("faq", MODEL)
    assert (listed.ref, listed.text) == (f"faq:{faq.id}", "Étanche ?")
    picked, cursor = await store.unembedded("thread", MODEL, ids=[other.id, held.id, "nope"])
    assert [e.id for e in picked] == [other.id] and cursor is None


async def test_saved_vectors_are_read_per_room_and_model_and_leave_the_to_do_list(
    backend: Backend, store: Store, make: Factory
) -> None:
    one, _ = await make.ask("Étanche ?")
    await make.answer(one)
    two, _ = await make.ask("La pile ?")
    await make.answer(two)
    assert await store.vectors_version(WATCH) == (0, 0)
    [a, b], _ = await store.unembedded("thread", MODEL)
    await store.save_vectors(MODEL, [vec(a, 1)])
    first, dropped = await store.vectors_version(WATCH)
    assert first > 0 and dropped == 0
    await store.save_vectors(MODEL, [vec(b, 2, lang="en")])
    second, _ = await store.vectors_version(WATCH)
    assert second > first
    assert await store.room_vectors(WATCH, MODEL, after=first) == [vec(b, 2, lang="en")]
    assert await store.room_vectors(WATCH, MODEL, after=second) == []  # nothing newer
    assert await store.unembedded("thread", MODEL) == ([], None)
    assert len((await store.unembedded("thread", OTHER_MODEL))[0]) == 2  # a new model: all
    await store.save_vectors(MODEL, [vec(a, 3)])  # replaced, not added
    assert (await store.vectors_version(WATCH))[0] > second
    reopened = backend.make()  # another process, or a restart
    await reopened.open()
    assert await reopened.room_vectors(WATCH, MODEL) == sorted(
        [vec(a, 3), vec(b, 2, lang="en")], key=lambda v: v.ref
    )
    assert await reopened.room_vectors(WATCH, OTHER_MODEL) == []
    assert await reopened.room_vectors(BAG, MODEL) == []
    await reopened.close()


async def test_an_faq_entry_s_vector_goes_when_it_is_edited_or_removed(store: Store) -> None:
    strap = await save(store, entry("t1", "Le bracelet est-il réglable ?"))
    [item], _ = await store.unembedded("faq", MODEL)
    await store.save_vectors(MODEL, [vec(item, 1)])
    version, _ = await store.vectors_version(WATCH)
    await save(store, dataclasses.replace(strap, question="Bracelet réglable ?"))
    assert await store.room_vectors(WATCH, MODEL) == []  # the question changed: embed again
    after, dropped = await store.vectors_version(WATCH)
    assert after > version and dropped == after  # a drop: readers load the room again
    [item], _ = await store.unembedded("faq", MODEL)
    assert item.text == "Bracelet réglable ?"
    await store.save_vectors(MODEL, [vec(item, 2)])
    await store.delete_faq(strap.id)
    assert await store.room_vectors(WATCH, MODEL) == []


async def test_erasure_and_retention_drop_the_vectors_of_the_erased_words(
    store: Store, make: Factory
) -> None:
    mine, _ = await make.ask("Le bracelet est-il réglable ?", author="eve")
    await make.answer(mine)
    theirs, _ = await make.ask("La pile ?", author="other")
    await make.answer(theirs, "Une CR2032.", author="eve")
    old, _ = await make.ask("Une vieille question", author="other")
    await make.answer(old)
    await save(store, entry(theirs.id, "La pile ?"))  # made from a thread eve answered
    items = (await store.unembedded("thread", MODEL))[0] + (await store.unembedded("faq", MODEL))[0]
    await store.save_vectors(MODEL, [vec(item, 1) for item in items])
    version, _ = await store.vectors_version(WATCH)
    await store.erase_visitor("eve", "Anonyme eve", at(60))
    assert [v.ref for v in await store.room_vectors(WATCH, MODEL)] == sorted(
        [f"thread:{theirs.id}", f"thread:{old.id}"]
    )
    after, dropped = await store.vectors_version(WATCH)
    assert after > version and dropped == after
    assert await store.unembedded("thread", MODEL) == ([], None)  # erased: nothing to embed
    await store.erase_expired(at(100), at(100), 100)
    assert await store.room_vectors(WATCH, MODEL) == []
