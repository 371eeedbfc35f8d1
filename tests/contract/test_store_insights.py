"""Contract: ratings and the per-question facts behind brand insights, on every adapter.

The seeded history's expected numbers are written out by hand below each seed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from app.store.port import Store
from insights.facts import Rating, ThreadFacts
from insights.kpis import Counts, Query

from .conftest import Backend
from .helpers import Factory

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def fact(
    thread_id: str, day: int, room: str = "montre", *, category: str = "montres",
    counted: bool = True, seconds: int | None = None, by: str | None = None,
    escalated: bool = False, resolved: bool = False, frustrated: bool = False,
    helpful: bool | None = None, contacted: bool | None = None,
    terms: tuple[str, ...] = (),
) -> ThreadFacts:  # fmt: skip
    return ThreadFacts(
        thread_id=thread_id, room=room, category=category,
        day=(date(2026, 11, 1) + timedelta(days=day)).isoformat(),
        created_at=T0 + timedelta(days=day), counted=counted, first_answer_seconds=seconds,
        answered_by=by, escalated=escalated, resolved=resolved,  # type: ignore[arg-type]
        frustrated=frustrated, helpful=helpful, would_have_contacted=contacted, terms=terms,
    )  # fmt: skip


def period(first: int, last: int, room: str | None = None, category: str | None = None) -> Query:
    start = date(2026, 11, 1)
    return Query(start + timedelta(days=first), start + timedelta(days=last), room, category)


HISTORY = [
    # Nov 1, montre: 3 questions; answered 2 (community 60 s, staff 600 s); one escalated
    # and frustrated; one resolved; two ratings: helpful + would have contacted, unhelpful.
    fact(
        "t1",
        0,
        seconds=60,
        by="community",
        resolved=True,
        helpful=True,
        contacted=True,
        terms=("zip", "cass"),
    ),
    fact(
        "t2",
        0,
        seconds=600,
        by="staff",
        escalated=True,
        frustrated=True,
        helpful=False,
        contacted=None,
        terms=("zip", "cass", "rembours"),
    ),
    fact("t3", 0, terms=("taill",)),
    # Nov 1, held or taken down: counted nowhere, terms included
    fact("t4", 0, counted=False, seconds=5, by="community", terms=("zip",)),
    # Nov 2, sac (category sacs): 2 questions, one answered by the community in 30 s,
    # rated helpful without the contact question
    fact("t5", 1, "sac", category="sacs", seconds=30, by="community", helpful=True, terms=("zip",)),
    fact("t6", 1, "sac", category="sacs", terms=("zip", "couleur")),
    # Nov 4, montre: answered in 60 s again (the histogram groups equal times)
    fact("t7", 3, seconds=60, by="community", terms=("bracelet",)),
    # Nov 10: outside the periods below
    fact("t8", 9, seconds=1, by="community", terms=("zip",)),
]


def total(rows: list) -> Counts:  # type: ignore[type-arg]
    return Counts.sum(row.counts for row in rows)


async def test_counts_per_day_and_room_follow_the_filters(store: Store) -> None:
    await store.save_thread_facts(HISTORY)
    rows = await store.insight_counts(period(0, 6))
    assert {(r.day, r.room) for r in rows} == {
        ("2026-11-01", "montre"), ("2026-11-02", "sac"), ("2026-11-04", "montre"),
    }  # fmt: skip
    by_key = {(r.day, r.room): r.counts for r in rows}
    assert by_key["2026-11-01", "montre"] == Counts(
        questions=3, answered=2, answered_by_community=1, answered_by_staff=1, escalated=1,
        resolved=1, frustrated=1, ratings=2, helpful=1, deflected_contacts=1,
    )  # fmt: skip
    assert by_key["2026-11-02", "sac"] == Counts(
        questions=2, answered=1, answered_by_community=1, ratings=1, helpful=1
    )
    assert total(rows) == Counts(
        questions=6, answered=4, answered_by_community=3, answered_by_staff=1, escalated=1,
        resolved=1, frustrated=1, ratings=3, helpful=2, deflected_contacts=1,
    )  # fmt: skip
    # bounds are inclusive days; filters by room and by category
    assert total(await store.insight_counts(period(1, 3))).questions == 3
    assert total(await store.insight_counts(period(0, 0))).questions == 3
    assert total(await store.insight_counts(period(0, 9, room="sac"))).questions == 2
    assert total(await store.insight_counts(period(0, 9, category="montres"))).questions == 5
    assert await store.insight_counts(period(0, 9, room="sac", category="montres")) == []
    assert await store.insight_counts(period(20, 30)) == []


async def test_first_answer_histogram_groups_equal_times(store: Store) -> None:
    await store.save_thread_facts(HISTORY)
    assert await store.first_answer_histogram(period(0, 6)) == [(30, 1), (60, 2), (600, 1)]
    assert await store.first_answer_histogram(period(0, 6, room="montre")) == [
        (60, 2), (600, 1),
    ]  # fmt: skip
    assert await store.first_answer_histogram(period(20, 30)) == []


async def test_saving_facts_again_replaces_them_and_their_terms(store: Store) -> None:
    await store.save_thread_facts(HISTORY)
    await store.save_thread_facts(HISTORY)  # the same facts again: nothing doubles
    assert total(await store.insight_counts(period(0, 6))).questions == 6
    # t3 is answered now and taken down later: counted, then nowhere
    answered = dataclasses.replace(HISTORY[2], first_answer_seconds=90, answered_by="staff",
                                   terms=("bracelet",))  # fmt: skip
    await store.save_thread_facts([answered])
    day1 = total(await store.insight_counts(period(0, 0)))
    assert (day1.questions, day1.answered, day1.answered_by_staff) == (3, 3, 2)
    assert ("montre", "taill", 2) not in await store.top_terms(period(0, 6), 50)
    await store.save_thread_facts([dataclasses.replace(answered, counted=False)])
    assert total(await store.insight_counts(period(0, 0))).questions == 2
    assert await store.first_answer_histogram(period(0, 0)) == [(60, 1), (600, 1)]


async def test_topic_terms_count_counted_questions_per_room(store: Store) -> None:
    await store.save_thread_facts(HISTORY)
    # Newest day first: t7 (Nov 4), t6 and t5 (Nov 2), t3 t2 t1 (Nov 1); t4 is not
    # counted, t8 is outside the period.
    assert await store.nth_latest_day(period(0, 6), 1) == "2026-11-04"
    assert await store.nth_latest_day(period(0, 6), 2) == "2026-11-02"
    assert await store.nth_latest_day(period(0, 6), 3) == "2026-11-02"
    assert await store.nth_latest_day(period(0, 6), 6) == "2026-11-01"
    assert await store.nth_latest_day(period(0, 6), 7) is None
    assert await store.nth_latest_day(period(0, 6, room="sac"), 2) == "2026-11-02"
    assert await store.nth_latest_day(period(0, 6, room="sac"), 3) is None
    assert await store.nth_latest_day(period(0, 6, category="montres"), 2) == "2026-11-01"
    assert await store.nth_latest_day(period(20, 30), 1) is None
    # zip: montre t1 t2, sac t5 t6; cass: montre t1 t2. Terms asked once (rembours, taill,
    # couleur, bracelet) are no topic; t4's zip is not counted, t8's is outside.
    assert await store.top_terms(period(0, 6), 10) == [
        ("montre", "cass", 2), ("montre", "zip", 2), ("sac", "zip", 2),
    ]  # fmt: skip
    assert await store.top_terms(period(0, 6), 1) == [("montre", "cass", 2)]
    assert await store.top_terms(period(1, 6), 10) == [("sac", "zip", 2)]
    assert await store.top_terms(period(0, 6, room="sac"), 10) == [("sac", "zip", 2)]
    assert await store.top_terms(period(0, 6, category="montres"), 10) == [
        ("montre", "cass", 2), ("montre", "zip", 2),
    ]  # fmt: skip
    assert await store.top_terms(period(3, 6), 10) == []
    assert await store.top_terms(period(20, 30), 10) == []
    found = await store.term_questions(
        period(0, 6), [("montre", "zip"), ("sac", "zip"), ("sac", "nothing")]
    )
    assert {(t.room, t.term): (t.thread_ids, t.frustrated_ids) for t in found} == {
        ("montre", "zip"): ({"t1", "t2"}, {"t2"}),
        ("sac", "zip"): ({"t5", "t6"}, frozenset()),
        ("sac", "nothing"): (frozenset(), frozenset()),
    }
    assert await store.term_questions(period(0, 6), []) == []
    only = await store.term_questions(period(1, 6), [("montre", "zip"), ("sac", "zip")])
    assert {t.term + "@" + t.room: set(t.thread_ids) for t in only} == {
        "zip@montre": set(), "zip@sac": {"t5", "t6"},
    }  # fmt: skip
    in_sacs = await store.term_questions(period(0, 9, category="sacs"), [("sac", "zip")])
    assert [set(t.thread_ids) for t in in_sacs] == [{"t5", "t6"}]


async def test_ratings_are_replaced_and_survive_a_reopen(backend: Backend) -> None:
    store = backend.make()
    await store.open()
    try:
        assert await store.get_rating("t1") is None
        first = Rating("t1", "v1", helpful=False, would_have_contacted=None, at=T0)
        await store.save_rating(first)
        assert await store.get_rating("t1") == first
        again = Rating("t1", "v1", helpful=True, would_have_contacted=True,
                       at=T0 + timedelta(minutes=5))  # fmt: skip
        await store.save_rating(again)
    finally:
        await store.close()
    reopened = backend.make()
    await reopened.open()
    try:
        assert await reopened.get_rating("t1") == again
        assert await reopened.get_rating("t2") is None
    finally:
        await reopened.close()


async def test_ratings_of_several_threads_in_one_read(store: Store) -> None:
    first = Rating("t1", "v1", helpful=True, would_have_contacted=False, at=T0)
    second = Rating("t2", "v2", helpful=False, would_have_contacted=None, at=T0)
    await store.save_rating(first)
    await store.save_rating(second)

    assert await store.ratings_of(["t1", "t2", "t3"]) == {"t1": first, "t2": second}
    assert await store.ratings_of([]) == {}


async def test_thread_ids_after_pages_every_thread(store: Store, make: Factory) -> None:
    made = sorted([(await make.ask(f"Question {i} ?"))[0].id for i in range(5)])
    assert await store.thread_ids_after("", 3) == made[:3]
    assert await store.thread_ids_after(made[2], 3) == made[3:]
    assert await store.thread_ids_after(made[-1], 3) == []


async def test_self_served_questions_are_counted_per_day_and_room(store: Store) -> None:
    at = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    await store.add_self_served("montre", "montres", "2026-11-01", "faq:f1", at)
    await store.add_self_served("montre", "montres", "2026-11-01", "thread:t1", at)
    await store.add_self_served("sac", "sacs", "2026-11-02", "faq:f2", at)
    await store.add_self_served("sac", "sacs", "2026-11-20", "faq:f2", at)  # outside
    assert sorted(await store.self_served_counts(period(0, 6))) == [
        ("2026-11-01", "montre", 2), ("2026-11-02", "sac", 1),
    ]  # fmt: skip
    assert await store.self_served_counts(period(0, 6, room="sac")) == [("2026-11-02", "sac", 1)]
    assert await store.self_served_counts(period(0, 6, category="montres")) == [
        ("2026-11-01", "montre", 2)
    ]
    assert await store.self_served_counts(period(7, 8)) == []
