"""Contract: a visitor's data read whole, erased everywhere, and content past retention."""

from __future__ import annotations

from datetime import date

from app.domain.mail import Consent, EmailAddress, Mail, MailKind, Purpose, ShopCustomer
from app.domain.models import EventType, Visibility, Visitor
from app.domain.text import search_terms
from app.store.port import Store
from insights.facts import Rating, ThreadFacts
from insights.kpis import Query
from insights.topics import TermQuestions
from moderation.reports import Report

from .helpers import BAG, T0, WATCH, Factory, at


async def seed_visitor(store: Store, visitor_id: str = "asker") -> None:
    await store.add_visitor(Visitor(visitor_id, "Camille", T0, shopper_id="client-9",
                                    network_key="abc"))  # fmt: skip


async def test_a_visitor_s_data_is_read_whole(store: Store, make: Factory) -> None:
    await seed_visitor(store)
    mine, _ = await make.ask("Étanche à 100 m ?")
    held = await make.hold("Ma commande 1234 ?")
    theirs, _ = await make.ask("Et le sac ?", room_key=BAG, author="other")
    reply = await make.answer(theirs, "Oui, en cuir.", author="asker")
    await make.answer(mine, "Oui.", author="helper")
    await store.save_rating(Rating(mine.id, "asker", True, None, at(30)))
    await store.add_report(Report("r1", reply.id, theirs.id, BAG, "asker", "other", "spam",
                                  at(31)))  # fmt: skip
    assert [t.id for t in await store.visitor_threads("asker")] == [mine.id, held.id]
    assert [m.body for m in await store.visitor_messages("asker")] == ["Oui, en cuir."]
    assert [r.thread_id for r in await store.visitor_ratings("asker")] == [mine.id]
    assert [r.id for r in await store.visitor_reports("asker")] == ["r1"]
    assert await store.visitor_threads("nobody") == []


async def test_erasing_a_visitor_empties_their_content_and_every_copy(
    store: Store, make: Factory
) -> None:
    await seed_visitor(store)
    await store.save_customer(ShopCustomer("client-9", "c9@example.org", "fr", True, at(0)),
                              [WATCH])  # fmt: skip
    mine, _ = await make.ask("Le bracelet de ma montre Alpina est-il étanche ?")
    held = await make.hold("Ma commande 1234 n'est pas arrivée")
    other, _ = await make.ask("Quel sac pour un ordinateur ?", room_key=BAG, author="other")
    reply = await make.answer(other, "Le grand modèle, je l'ai.", author="asker")
    answer = await make.answer(mine, "Oui, 100 m.", author="helper")
    await store.save_thread_facts([ThreadFacts(
        thread_id=mine.id, room=WATCH, category="montres", day="2026-11-02", created_at=T0,
        counted=True, first_answer_seconds=60, answered_by="community", escalated=False,
        resolved=False, frustrated=False, helpful=None, would_have_contacted=None,
        terms=("bracelet", "etanch"),
    )])  # fmt: skip
    await store.save_rating(Rating(mine.id, "asker", True, True, at(30)))
    consent = Consent("asker", Purpose.ANSWERS, "J'accepte", "fr", at(1))
    await store.save_address(EmailAddress("asker", "camille@example.org", "fr", at(1), "n"),
                             consent)  # fmt: skip
    await store.enqueue_mail(Mail(MailKind.ANSWER, "camille@example.org", "s", "Oui, 100 m.",
                                  "<p>Oui</p>", visitor_id="asker"))  # fmt: skip
    await store.enqueue_mail(Mail(MailKind.ANSWER, "other@example.org", "s", "t", "h"))
    assert await store.search_answered(WATCH, search_terms("bracelet étanche"), 5)

    changed = await store.erase_visitor("asker", "Anonyme 1a2b", at(60))
    assert changed == sorted({mine.id, held.id, other.id})

    visitor = await store.get_visitor("asker")
    assert visitor is not None and visitor.name == "Anonyme 1a2b"
    assert visitor.erased_at == at(60) and visitor.shopper_id is None
    assert visitor.network_key is None
    for thread in (await store.get_thread(mine.id), await store.get_thread(held.id)):
        assert thread is not None and thread.body == "" and thread.author_name == "Anonyme 1a2b"
    erased_reply = await store.get_message(reply.id)
    assert erased_reply is not None and erased_reply.body == ""
    kept = await store.get_message(answer.id)  # someone else's answer stays
    assert kept is not None and kept.body == "Oui, 100 m."
    assert await store.search_answered(WATCH, search_terms("bracelet étanche"), 5) == []
    day = Query(date(2026, 11, 2), date(2026, 11, 2))
    assert await store.top_terms(day, 10) == [] and await store.term_questions(
        day, [(WATCH, "bracelet")]
    ) == [TermQuestions(WATCH, "bracelet", frozenset(), frozenset())]
    assert await store.get_address("asker") is None
    assert await store.get_customer("client-9") is None  # the shop's record of them too
    assert await store.purchases("client-9") == []
    assert await store.list_consents("asker") == []
    assert (await store.mail_stats()).pending == 1  # only the other address's e-mail
    rating = await store.get_rating(mine.id)
    assert rating is not None and rating.visitor_id == "" and rating.helpful  # counts stay
    assert "asker" in await store.disqualified()
    # Room events announce the published changes: the question and the public reply, not
    # the held question.
    events = [e for e in await store.events_since(WATCH, 0) if e.created_at >= at(0)]
    updated = {(e.type, e.entity_id) for e in events if e.type in (
        EventType.THREAD_UPDATED, EventType.MESSAGE_UPDATED)}  # fmt: skip
    assert (EventType.THREAD_UPDATED, mine.id) in updated
    assert (EventType.THREAD_UPDATED, held.id) not in updated
    bag_events = {(e.type, e.entity_id) for e in await store.events_since(BAG, 0)}
    assert (EventType.MESSAGE_UPDATED, reply.id) in bag_events


async def test_content_past_retention_is_erased_private_sooner(store: Store, make: Factory) -> None:
    old, _ = await make.ask("Une vieille question publique")  # minute 1
    private_old = await make.hold("Une vieille question retenue")  # minute 2
    old_private_reply = await make.answer(old, "Réponse privée", author="staff",
                                          visibility=Visibility.PRIVATE)  # fmt: skip
    recent, _ = await make.ask("Une question récente")
    recent_reply = await make.answer(recent, "Réponse récente")
    # Private content older than minute 10 goes; public content is kept (no retention set).
    changed = await store.erase_expired(None, at(10), 100)
    assert set(changed) == {private_old.id, old.id}
    thread = await store.get_thread(old.id)
    assert thread is not None and thread.body == "Une vieille question publique"
    for gone in (await store.get_thread(private_old.id), await store.get_message(
            old_private_reply.id)):  # fmt: skip
        assert gone is not None and gone.body == ""
    # With a public retention, old public content goes too; recent stays.
    changed = await store.erase_expired(at(2), at(10), 100)
    assert changed == [old.id]
    thread = await store.get_thread(old.id)
    assert thread is not None and thread.body == ""
    assert (await store.get_thread(recent.id)).body == "Une question récente"  # type: ignore[union-attr]
    assert (await store.get_message(recent_reply.id)).body == "Réponse récente"  # type: ignore[union-attr]
    assert await store.erase_expired(at(2), at(10), 100) == []  # nothing left to do
