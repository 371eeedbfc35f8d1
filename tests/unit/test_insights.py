"""The pure insights rules: periods, ratios, percentiles, topics and weak signals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.errors import Invalid
from app.domain.models import Message, MessageKind, Thread, ThreadStatus, Visibility
from insights.facts import Rating, facts_for
from insights.kpis import (
    Counts,
    DayRoomCounts,
    Query,
    csv_rows,
    parse_query,
    percentile,
    report,
)
from insights.topics import TermQuestions, label_for, merge_across_rooms, room_topics, window

TODAY = date(2026, 12, 4)
PARIS = ZoneInfo("Europe/Paris")


def test_a_period_defaults_to_the_last_30_days_and_refuses_nonsense() -> None:
    q = parse_query(None, None, None, None, TODAY)
    assert (q.start, q.end, q.days) == (date(2026, 11, 5), TODAY, 30)
    assert q.previous().end == date(2026, 11, 4) and q.previous().days == 30
    one = parse_query("2026-02-28", "2026-02-28", "montre", "montres", TODAY)
    assert (one.days, one.room, one.category) == (1, "montre", "montres")
    assert parse_query("2025-12-05", "2026-12-04", None, None, TODAY).days == 365
    for args in [("2026-13-01", None), ("2026-11-10", "2026-11-01"), ("2024-01-01", "2025-06-01"),
                 ("01/11/2026", None), ("", "x")]:  # fmt: skip
        with pytest.raises(Invalid):
            parse_query(*args, None, None, TODAY)
    with pytest.raises(Invalid):
        parse_query(None, None, "", None, TODAY)


def test_percentiles_are_exact_nearest_rank_over_a_histogram() -> None:
    assert percentile([], 50) is None
    assert percentile([(60, 1)], 90) == 60
    histogram = [(10, 1), (20, 1), (30, 1), (40, 1)]
    assert (percentile(histogram, 50), percentile(histogram, 90)) == (20, 40)
    assert percentile([(5, 9), (500, 1)], 90) == 5 and percentile([(5, 9), (500, 1)], 91) == 500


def test_report_fills_every_day_and_leaves_ratios_without_denominator_null() -> None:
    q = parse_query("2026-11-01", "2026-11-03", None, None, TODAY)
    rows = [
        DayRoomCounts("2026-11-01", "a", Counts(questions=4, answered=3, answered_by_community=2,
                                                answered_by_staff=1, ratings=2, helpful=1,
                                                deflected_contacts=1)),
        DayRoomCounts("2026-11-03", "b", Counts(questions=1)),
    ]  # fmt: skip
    doc = report(q, rows, [(60, 2), (600, 1)], {"a": ("Montre", "montres")}, 12.5)
    assert (doc["questions"], doc["answer_rate"], doc["community_answer_share"]) == (
        5, 0.6, 0.6667,
    )  # fmt: skip
    assert (doc["csat"], doc["deflection_rate"], doc["estimated_savings"]) == (0.5, 0.5, 12.5)
    assert doc["median_first_answer_seconds"] == 60 and doc["p90_first_answer_seconds"] == 600
    assert [d["day"] for d in doc["by_day"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert doc["by_day"][1]["answer_rate"] is None and doc["by_day"][1]["questions"] == 0
    assert [(r["room"], r["title"]) for r in doc["by_room"]] == [("a", "Montre"), ("b", "b")]
    assert report(q, [], [], {}, None)["estimated_savings"] is None
    table = csv_rows(doc)
    assert table[0][0] == "day" and table[2][1:4] == ["0", "0", ""]


def test_facts_take_the_first_answer_and_skip_what_does_not_answer() -> None:
    at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # Tuesday 00:30 in Paris
    thread = Thread(id="t", room="r", author_id="v", author_name="V", body="Zip cassé 12 ?",
                    client_id="c", created_at=at, category="sacs")  # fmt: skip

    def msg(i: int, minutes: int, kind: MessageKind = MessageKind.ANSWER, **kw: object) -> Message:
        return Message(id=f"m{i}", thread_id="t", room="r", kind=kind, author_id="h",
                       author_name="H", body="b", client_id=f"c{i}",
                       created_at=at + timedelta(minutes=minutes), votes=0,
                       hidden=bool(kw.get("hidden", False)),
                       visibility=kw.get("visibility", Visibility.PUBLIC))  # type: ignore[arg-type]  # fmt: skip

    messages = [msg(1, 1, hidden=True), msg(2, 2, visibility=Visibility.HELD),
                msg(3, 3, visibility=Visibility.PRIVATE), msg(4, 9, MessageKind.STAFF,
                visibility=Visibility.PRIVATE), msg(5, 20)]  # fmt: skip
    rating = Rating("t", "v", True, None, at)
    facts = facts_for(thread, messages, None, rating, PARIS)
    assert facts.day == "2026-12-01"  # the shop's day, not UTC's
    assert (facts.first_answer_seconds, facts.answered_by) == (540, "staff")
    assert (facts.helpful, facts.would_have_contacted, facts.escalated) == (True, None, False)
    assert "12" not in facts.terms and facts.counted
    thread.status = ThreadStatus.HIDDEN
    assert not facts_for(thread, [], None, None, PARIS).counted


def test_topics_merge_stems_of_the_same_questions_and_flag_weak_signals() -> None:
    zip_ids = frozenset(f"z{i}" for i in range(6))
    terms = [
        TermQuestions("veste", "fermetur", zip_ids, frozenset({"z0", "z1", "z2"})),
        TermQuestions("veste", "eclair", zip_ids - {"z5"}, frozenset({"z0"})),
        TermQuestions("veste", "poch", frozenset({"z0", "z1", "p1", "p2", "p3"}), frozenset()),
        TermQuestions("veste", "taill", frozenset({"s1"}), frozenset()),  # once: no topic
        TermQuestions("sac", "fermetur", frozenset({"s8", "s9"}), frozenset()),
    ]
    found = room_topics(terms)
    assert [(t.room, t.terms, t.questions) for t in found] == [
        ("sac", ["fermetur"], 2), ("veste", ["fermetur", "eclair"], 6), ("veste", ["poch"], 5),
    ]  # fmt: skip
    veste = found[1]
    assert veste.weak_signal(7) == "3 of 6 questions in 7 days are frustrated"
    assert veste.signal(7) == {"kind": "frustrated", "frustrated": 3, "questions": 6, "days": 7}
    found[2].previous = 1
    assert found[2].weak_signal(7) == "5 questions in 7 days against 1 the period before"
    found[2].previous = 3
    assert found[2].weak_signal(7) is None
    merged = merge_across_rooms(found, {"fermetur": "fermeture eclair"}, 7)
    assert merged[0]["label"] == "fermeture eclair" and merged[0]["weak_signal"]
    assert [r["room"] for r in merged[0]["rooms"]] == ["sac", "veste"]
    assert merged[0]["questions"] == 8


def test_topics_read_the_latest_days_and_compare_with_as_many_before() -> None:
    month = Query(date(2026, 11, 1), date(2026, 11, 30), "montre", "montres")
    assert window(month, None) == month  # fewer questions than topics read: the whole period
    latest = window(month, "2026-11-28")
    assert latest == Query(date(2026, 11, 28), date(2026, 11, 30), "montre", "montres")
    assert (latest.days, latest.previous().start, latest.previous().end) == (
        3, date(2026, 11, 25), date(2026, 11, 27),
    )  # fmt: skip


def test_labels_are_the_words_shoppers_wrote() -> None:
    bodies = ["La fermeture éclair a lâché", "Fermeture éclair cassée", "fermetures ?"]
    assert label_for(["eclair", "fermetur"], bodies) == "fermeture eclair"
    assert label_for(["absent"], bodies) == "absent"
