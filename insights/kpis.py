"""The KPIs staff read, each with its definition, from counts per (day, room).

Ratios are numbers in [0, 1], None when their denominator is 0 (never a made-up 0).
First-answer times come as a histogram (seconds -> questions) so that medians are exact
without the store returning one row per question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.domain.errors import Invalid

MAX_DAYS = 366
DEFINITIONS: dict[str, str] = {
    "self_served": "questions shoppers did not need to ask: they marked an instant answer"
    " (an FAQ entry or an answered question shown while typing) as answering theirs",
    "questions": "published questions asked in the period (held and taken-down ones excluded)",
    "answered": "questions with a public answer or a staff reply",
    "answer_rate": "answered / questions",
    "answered_by_community": "answered questions whose first answer came from a shopper",
    "answered_by_staff": "answered questions whose first answer came from staff",
    "community_answer_share": "answered_by_community / answered",
    "median_first_answer_seconds": "median time from a question to its first answer",
    "p90_first_answer_seconds": "90th percentile of the time to the first answer",
    "escalated": "questions that had a moderation case opened",
    "escalation_rate": "escalated / questions",
    "resolved": "questions resolved now",
    "ratings": "questions their asker rated",
    "csat": "ratings saying the answer helped / ratings",
    "deflected_contacts": "ratings saying the answer helped and that the asker would "
    "otherwise have contacted customer service",
    "deflection_rate": "deflected_contacts / ratings",
    "estimated_savings": "deflected_contacts x the cost of one customer-service contact",
}


@dataclass(frozen=True, slots=True)
class Query:
    """A period of whole local days (`to` inclusive) and optional filters."""

    start: date
    end: date
    room: str | None = None
    category: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Query:
        """The period of the same length just before (topic trends)."""
        return Query(self.start - timedelta(days=self.days), self.start - timedelta(days=1),
                     self.room, self.category)  # fmt: skip


def parse_query(
    start: str | None, end: str | None, room: str | None, category: str | None, today: date
) -> Query:
    """Query parameters -> Query: the last 30 days by default; `Invalid` for a malformed
    date, `to` before `from`, more than MAX_DAYS days, or an empty filter."""
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except (TypeError, ValueError):
        raise Invalid("from and to are dates written YYYY-MM-DD") from None
    if last < first:
        raise Invalid("to is before from")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"a period covers at most {MAX_DAYS} days")
    for name, value in (("room", room), ("category", category)):
        if value is not None and not (0 < len(value) <= 200):
            raise Invalid(f"{name} must be 1 to 200 characters")
    return Query(first, last, room, category)


@dataclass(slots=True)
class Counts:
    """Additive counts: per day, per room, or in total."""

    questions: int = 0
    answered: int = 0
    answered_by_community: int = 0
    answered_by_staff: int = 0
    escalated: int = 0
    resolved: int = 0
    frustrated: int = 0
    ratings: int = 0
    helpful: int = 0
    deflected_contacts: int = 0
    self_served: int = 0  # questions not asked: an instant answer answered them

    def values(self) -> tuple[int, ...]:
        return (self.questions, self.answered, self.answered_by_community,
                self.answered_by_staff, self.escalated, self.resolved, self.frustrated,
                self.ratings, self.helpful, self.deflected_contacts,
                self.self_served)  # fmt: skip

    @classmethod
    def sum(cls, many: Iterable[Counts]) -> Counts:
        """Column sums in C (a 90-day report adds up thousands of rows)."""
        columns = list(zip(*(c.values() for c in many), strict=False))
        return cls(*map(sum, columns)) if columns else cls()

    def as_json(self, cost_per_contact: float | None = None) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "answered": self.answered,
            "answer_rate": ratio(self.answered, self.questions),
            "answered_by_community": self.answered_by_community,
            "answered_by_staff": self.answered_by_staff,
            "community_answer_share": ratio(self.answered_by_community, self.answered),
            "escalated": self.escalated,
            "escalation_rate": ratio(self.escalated, self.questions),
            "resolved": self.resolved,
            "frustrated": self.frustrated,
            "ratings": self.ratings,
            "csat": ratio(self.helpful, self.ratings),
            "deflected_contacts": self.deflected_contacts,
            "deflection_rate": ratio(self.deflected_contacts, self.ratings),
            "self_served": self.self_served,
            "estimated_savings": (
                round(self.deflected_contacts * cost_per_contact, 2)
                if cost_per_contact is not None
                else None
            ),
        }


@dataclass(frozen=True, slots=True)
class DayRoomCounts:
    day: str
    room: str
    counts: Counts


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def percentile(histogram: Sequence[tuple[int, int]], p: float) -> int | None:
    """The nearest-rank percentile of a (value, count) histogram sorted by value."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return None
    rank = max(1, -(-total * p // 100))  # ceil(total * p / 100), at least the first
    seen = 0
    for value, n in histogram:
        seen += n
        if seen >= rank:
            return value
    return histogram[-1][0]


def report(
    query: Query,
    rows: Iterable[DayRoomCounts],
    first_answers: Sequence[tuple[int, int]],
    rooms: dict[str, tuple[str, str]],
    cost_per_contact: float | None,
) -> dict[str, Any]:
    """The insights document: headline, every day of the period, every room with questions.
    `rooms` maps a room key to its (title, category)."""
    days: dict[str, list[Counts]] = {
        (query.start + timedelta(days=i)).isoformat(): [] for i in range(query.days)
    }
    rooms_seen: dict[str, list[Counts]] = {}
    every = []
    for row in rows:
        every.append(row.counts)
        if row.day in days:
            days[row.day].append(row.counts)
        rooms_seen.setdefault(row.room, []).append(row.counts)
    total = Counts.sum(every)
    by_day = {day: Counts.sum(found) for day, found in days.items()}
    by_room = {room: Counts.sum(found) for room, found in rooms_seen.items()}
    doc = total.as_json(cost_per_contact)
    doc.update(
        period={"from": query.start.isoformat(), "to": query.end.isoformat()},
        filters={"room": query.room, "category": query.category},
        median_first_answer_seconds=percentile(first_answers, 50),
        p90_first_answer_seconds=percentile(first_answers, 90),
        cost_per_contact=cost_per_contact,
        definitions=DEFINITIONS,
        by_day=[{"day": d, **c.as_json(cost_per_contact)} for d, c in by_day.items()],
        by_room=[
            {
                "room": key,
                "title": rooms.get(key, (key, ""))[0],
                "category": rooms.get(key, (key, ""))[1],
                **c.as_json(cost_per_contact),
            }
            for key, c in sorted(by_room.items(), key=lambda kv: (-kv[1].questions, kv[0]))
        ],
    )
    return doc


CSV_COLUMNS = (
    "day", "questions", "answered", "answer_rate", "answered_by_community", "answered_by_staff",
    "community_answer_share", "escalated", "escalation_rate", "resolved", "ratings", "csat",
    "deflected_contacts", "deflection_rate", "estimated_savings", "self_served",
)  # fmt: skip


def csv_rows(doc: dict[str, Any]) -> list[list[str]]:
    """One row per day (header first); empty cells where a ratio has no denominator."""

    def cell(value: Any) -> str:
        return "" if value is None else str(value)

    return [list(CSV_COLUMNS)] + [[cell(day[c]) for c in CSV_COLUMNS] for day in doc["by_day"]]
