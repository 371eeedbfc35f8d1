"""Topics and weak signals: what shoppers keep asking about, per product, and what to read
before it becomes a crisis.

Deterministic and explainable. Topics look at the period's latest days holding at least
LATEST questions (the whole period in most shops; its last days in a huge one, where weak
signals live), and compare with as many days before them. A
question's terms are the folded French and English stems the search index uses. Per room,
the most asked terms are grouped greedily: a term joins a topic when the questions it
appears in and the topic's share at least MERGE_OVERLAP of the larger of the two (the
French and English stems of one word, words always said together: "fermetur", "eclair").
Topics with the same leading term in several rooms are one topic, listed per room. A topic
in one room is a weak signal when it has at least WEAK_MIN questions and either at least
WEAK_FRUSTRATED of them are frustrated, or it rose sharply against the previous period of the
same length (at least RISE times as many, and RISE_BY more).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.text import fold, search_terms
from insights.kpis import Query

LATEST = 2_000  # topics read the days of the period's latest questions: a bounded cost
MERGE_OVERLAP = 0.6
TOPICS_PER_ROOM = 6
MIN_QUESTIONS = 2  # a term asked once is not a topic
WEAK_MIN = 5
WEAK_FRUSTRATED = 0.4
RISE = 2.0
RISE_BY = 3
EXAMPLES = 3


def window(query: Query, nth_latest_day: str | None) -> Query:
    """The days topics read: from the day of the period's LATEST-th latest question on, or
    the whole period when it holds fewer."""
    if nth_latest_day is None:
        return query
    return dataclasses.replace(query, start=date.fromisoformat(nth_latest_day))


@dataclass(frozen=True, slots=True)
class TermQuestions:
    """The questions of one room in the period whose terms include `term`."""

    room: str
    term: str
    thread_ids: frozenset[str]
    frustrated_ids: frozenset[str]


@dataclass(slots=True)
class RoomTopic:
    room: str
    terms: list[str]
    thread_ids: set[str]
    frustrated_ids: set[str]
    previous: int = 0
    examples: list[dict[str, str]] = field(default_factory=list)

    @property
    def questions(self) -> int:
        return len(self.thread_ids)

    def signal(self, days: int) -> dict[str, Any] | None:
        """Why this topic is a weak signal in its room (figures for any language), or None."""
        n, frustrated = self.questions, len(self.frustrated_ids)
        if n < WEAK_MIN:
            return None
        if frustrated / n >= WEAK_FRUSTRATED:
            return {"kind": "frustrated", "frustrated": frustrated, "questions": n, "days": days}
        if n >= RISE * self.previous and n - self.previous >= RISE_BY:
            return {"kind": "rising", "questions": n, "previous": self.previous, "days": days}
        return None

    def weak_signal(self, days: int) -> str | None:
        """The same reason as a sentence (the API's explanation, in English)."""
        why = self.signal(days)
        if why is None:
            return None
        n = why["questions"]
        if why["kind"] == "frustrated":
            return f"{why['frustrated']} of {n} questions in {days} days are frustrated"
        return f"{n} questions in {days} days against {why['previous']} the period before"


def gather(
    pairs: Iterable[tuple[str, str]], rows: Iterable[tuple[str, str, str, bool]]
) -> list[TermQuestions]:
    """The stores' term rows (room, term, thread id, frustrated) as one TermQuestions per
    wanted (room, term) pair, in the pairs' order (empty for a pair no row has)."""
    found: dict[tuple[str, str], tuple[set[str], set[str]]] = {
        pair: (set(), set()) for pair in pairs
    }
    for room, term, thread_id, frustrated in rows:
        wanted = found.get((room, term))
        if wanted is not None:
            wanted[0].add(thread_id)
            if frustrated:
                wanted[1].add(thread_id)
    return [
        TermQuestions(room, term, frozenset(ids), frozenset(hot))
        for (room, term), (ids, hot) in found.items()
    ]


def room_topics(terms: Iterable[TermQuestions]) -> list[RoomTopic]:
    """Group each room's terms into topics, most asked first."""
    by_room: dict[str, list[TermQuestions]] = {}
    for t in terms:
        if len(t.thread_ids) >= MIN_QUESTIONS:
            by_room.setdefault(t.room, []).append(t)
    found: list[RoomTopic] = []
    for room in sorted(by_room):
        topics: list[RoomTopic] = []
        for t in sorted(by_room[room], key=lambda t: (-len(t.thread_ids), t.term)):
            home = next((tp for tp in topics if _overlap(tp.thread_ids, t.thread_ids)), None)
            if home is None:
                if len(topics) < TOPICS_PER_ROOM:
                    topics.append(RoomTopic(room, [t.term], set(t.thread_ids),
                                            set(t.frustrated_ids)))  # fmt: skip
                continue
            home.terms.append(t.term)
            home.thread_ids |= t.thread_ids
            home.frustrated_ids |= t.frustrated_ids
        found += topics
    return found


def _overlap(a: set[str], b: frozenset[str]) -> bool:
    """Mostly the same questions: a term found in a few of a big topic's stays apart."""
    return len(a & b) >= MERGE_OVERLAP * max(len(a), len(b))


def label_for(terms: Sequence[str], bodies: Sequence[str]) -> str:
    """The words shoppers wrote for the topic's first two terms (stems are not words): for
    each, the most frequent word of the examples that stems to it, in the order written."""
    words: dict[str, dict[str, int]] = {t: {} for t in terms[:2]}
    for body in bodies:
        for word in fold(body).split():
            word = word.strip(".,;:!?()«»\"'")
            for stem in search_terms(word, limit=2):
                if stem in words:
                    words[stem][word] = words[stem].get(word, 0) + 1
    chosen = [max(w.items(), key=lambda kv: (kv[1], kv[0]))[0] if w else t
              for t, w in words.items()]  # fmt: skip
    first = fold(bodies[0]) if bodies else ""
    ordered = sorted(dict.fromkeys(chosen), key=lambda w: first.find(w) % (len(first) + 1))
    return " ".join(ordered)


def merge_across_rooms(
    topics: Sequence[RoomTopic], labels: Mapping[str, str], days: int
) -> list[dict[str, Any]]:
    """One entry per leading term: the rooms it is asked in, with their weak signals."""
    merged: dict[str, dict[str, Any]] = {}
    for tp in topics:
        lead = tp.terms[0]
        entry = merged.setdefault(
            lead,
            {"label": labels.get(lead, lead), "terms": [], "questions": 0, "frustrated": 0,
             "rooms": [], "weak_signal": False},
        )  # fmt: skip
        entry["terms"] = list(dict.fromkeys(entry["terms"] + tp.terms))
        entry["questions"] += tp.questions
        entry["frustrated"] += len(tp.frustrated_ids)
        why = tp.weak_signal(days)
        entry["weak_signal"] = entry["weak_signal"] or why is not None
        entry["rooms"].append(
            {"room": tp.room, "questions": tp.questions, "frustrated": len(tp.frustrated_ids),
             "previous": tp.previous, "weak_signal": why, "signal": tp.signal(days),
             "examples": tp.examples}
        )  # fmt: skip
    return sorted(merged.values(), key=lambda e: (not e["weak_signal"], -e["questions"],
                                                  e["label"]))  # fmt: skip
